// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rescue config (xlsave_config.h). The JSON is libxl's: enums as lower
 * case strings, defbools as "True"/"False", and members left out when they
 * hold libxl's initial value -- which for the shutdown actions is "destroy",
 * not xl's defaults, so all three are written out.
 */
#include "xlsave_config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

/* libxl's minimum VRAM for qemu-xen (libxl_create.c, libxl__domain_build_info_setdefault). */
#define QEMU_XEN_MIN_VRAM_CIRRUS_MB 8
#define QEMU_XEN_MIN_VRAM_STD_MB 16

struct writer {
	FILE *out;
	bool bad;       /* a value xl's config syntax cannot carry */
	char why[200];
};

/* A string in xl's double quotes: backslash escapes; a newline cannot be written. */
static void put_quoted(struct writer *w, const char *s, char quote)
{
	fputc(quote, w->out);
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r') {
			w->bad = true;
			snprintf(w->why, sizeof(w->why), "a value with a line break");
			break;
		}
		if (*s == quote || *s == '\\')
			fputc('\\', w->out);
		fputc(*s, w->out);
	}
	fputc(quote, w->out);
}

static void line_str(struct writer *w, const char *key, const char *val, const char *comment)
{
	fprintf(w->out, "%s = ", key);
	put_quoted(w, val, '"');
	if (comment)
		fprintf(w->out, "  # %s", comment);
	fputc('\n', w->out);
}

static void line_int(struct writer *w, const char *key, long long val, const char *comment)
{
	fprintf(w->out, "%s = %lld", key, val);
	if (comment)
		fprintf(w->out, "  # %s", comment);
	fputc('\n', w->out);
}

/* Take a member out of obj (so what is left is what was not carried over). */
static json_t *take(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return NULL;
	json_incref(v);
	json_object_del(obj, key);
	return v;
}

static const char *take_str(json_t *obj, const char *key, json_t **hold)
{
	*hold = take(obj, key);
	return json_string_value(*hold);
}

/* A defbool: 1, 0, or -1 when absent (libxl's default). */
static int take_bool(json_t *obj, const char *key)
{
	json_t *v = take(obj, key);
	const char *s = json_string_value(v);
	int r = -1;

	if (s && !strcmp(s, "True"))
		r = 1;
	else if (s && !strcmp(s, "False"))
		r = 0;
	else if (json_is_boolean(v))
		r = json_is_true(v);
	json_decref(v);
	return r;
}

static void carry_bool(struct writer *w, json_t *obj, const char *key, const char *xl_key)
{
	int b = take_bool(obj, key);

	if (b >= 0)
		line_int(w, xl_key, b, NULL);
}

static void carry_str(struct writer *w, json_t *obj, const char *key, const char *xl_key)
{
	json_t *h;
	const char *s = take_str(obj, key, &h);

	if (s)
		line_str(w, xl_key, s, NULL);
	json_decref(h);
}

static void carry_int(struct writer *w, json_t *obj, const char *key, const char *xl_key)
{
	json_t *v = take(obj, key);

	if (json_is_integer(v))
		line_int(w, xl_key, json_integer_value(v), NULL);
	json_decref(v);
}

static void carry_str_list(struct writer *w, json_t *obj, const char *key, const char *xl_key)
{
	json_t *v = take(obj, key), *e;
	size_t i;

	if (json_is_array(v) && json_array_size(v)) {
		fprintf(w->out, "%s = [ ", xl_key);
		json_array_foreach(v, i, e) {
			if (i)
				fputs(", ", w->out);
			put_quoted(w, json_string_value(e) ? json_string_value(e) : "", '"');
		}
		fputs(" ]\n", w->out);
	}
	json_decref(v);
}

/* libxl's action names are xl's with '-' for '_', but restart_rename is rename-restart. */
static void carry_action(struct writer *w, json_t *top, const char *key)
{
	json_t *h;
	const char *s = take_str(top, key, &h);
	char xl[32];

	if (!s || !strcmp(s, "restart_rename"))
		snprintf(xl, sizeof(xl), "%s", s ? "rename-restart" : "destroy");
	else
		snprintf(xl, sizeof(xl), "%s", s);
	for (char *p = xl; *p; p++)
		if (*p == '_')
			*p = '-';
	line_str(w, key, xl, s || strcmp(key, "on_reboot") ? NULL
			     : "absent from the saved config, which means destroy (xl's own default is restart)");
	json_decref(h);
}

/* Members of a device spec: key=value pairs in xl's single-quoted form. */
static void spec_item(struct writer *w, bool *first, const char *key, const char *val)
{
	char buf[1024];

	if (strchr(val, ',') || strchr(val, '\'') || strchr(val, '\n')) {
		w->bad = true;
		snprintf(w->why, sizeof(w->why), "a device setting with a comma or quote: %.100s", val);
	}
	snprintf(buf, sizeof(buf), "%s%s=%s", *first ? "" : ", ", key, val);
	fputs(buf, w->out);
	*first = false;
}

static void leftovers(struct writer *w, const char *path, json_t *v);

static void write_disks(struct writer *w, json_t *disks)
{
	json_t *d;
	size_t i;

	if (!json_array_size(disks))
		return;
	fputs("disk = [\n", w->out);
	json_array_foreach(disks, i, d) {
		json_t *h1, *h2, *h3, *h4, *h5;
		const char *target = take_str(d, "pdev_path", &h1);
		const char *vdev = take_str(d, "vdev", &h2);
		const char *format = take_str(d, "format", &h3);
		const char *backend = take_str(d, "backend", &h4);
		const char *script = take_str(d, "script", &h5);
		json_t *rw = take(d, "readwrite"), *cd = take(d, "is_cdrom"), *rem = take(d, "removable");
		bool first = true;
		char path[48];

		/* COLO's restore flag and libxl's removable (it follows devtype=cdrom) have no line of their own. */
		take_bool(d, "colo_restore_enable");
		fputs("\t'", w->out);
		if (format)
			spec_item(w, &first, "format", format);
		if (vdev)
			spec_item(w, &first, "vdev", vdev);
		spec_item(w, &first, "access", json_integer_value(rw) ? "rw" : "ro");
		if (json_integer_value(cd))
			spec_item(w, &first, "devtype", "cdrom");
		if (backend && strcmp(backend, "unknown"))
			spec_item(w, &first, "backendtype", backend);
		if (script)
			spec_item(w, &first, "script", script);
		/* xl takes everything after target= as the path: it comes last. */
		spec_item(w, &first, "target", target ? target : "");
		fputs("',\n", w->out);
		snprintf(path, sizeof(path), "disks[%zu]", i);
		leftovers(w, path, d);
		json_decref(h1);
		json_decref(h2);
		json_decref(h3);
		json_decref(h4);
		json_decref(h5);
		json_decref(rw);
		json_decref(cd);
		json_decref(rem);
	}
	fputs("]\n", w->out);
}

static void write_nics(struct writer *w, json_t *nics)
{
	static const struct {
		const char *json, *xl;
	} keys[] = {
		{ "mac", "mac" }, { "bridge", "bridge" }, { "model", "model" }, { "ip", "ip" },
		{ "ifname", "vifname" }, { "script", "script" }, { "backend_domname", "backend" },
		{ "gatewaydev", "gatewaydev" },
	};
	json_t *n;
	size_t i;

	if (!json_array_size(nics))
		return;
	fputs("vif = [\n", w->out);
	json_array_foreach(nics, i, n) {
		json_t *h, *devid = take(n, "devid"), *mtu = take(n, "mtu");
		const char *type = take_str(n, "nictype", &h);
		bool first = true;
		char path[48];

		fputs("\t'", w->out);
		if (type)
			spec_item(w, &first, "type", !strcmp(type, "vif_ioemu") ? "ioemu" : "vif");
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			json_t *hk;
			const char *v = take_str(n, keys[k].json, &hk);

			if (v)
				spec_item(w, &first, keys[k].xl, v);
			json_decref(hk);
		}
		if (json_is_integer(mtu)) {
			char buf[24];

			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(mtu));
			spec_item(w, &first, "mtu", buf);
		}
		fputs("',\n", w->out);
		snprintf(path, sizeof(path), "nics[%zu]", i);
		leftovers(w, path, n);
		json_decref(h);
		json_decref(devid);
		json_decref(mtu);
	}
	fputs("]\n", w->out);
}

/* What nothing above took: one comment per member, so nothing goes in silence. */
static void leftovers(struct writer *w, const char *path, json_t *v)
{
	const char *key;
	json_t *m;

	if (json_is_object(v)) {
		json_object_foreach(v, key, m) {
			char sub[256];

			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			leftovers(w, sub, m);
		}
		return;
	}
	if (json_is_array(v) && !json_array_size(v))
		return;
	{
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		fprintf(w->out, "# not carried over (set it by hand if the guest needs it): %s = %.400s\n", path,
			text ? text : "?");
		free(text);
	}
}

int xlsave_rescue_config(json_t *saved, const struct rescue_facts *f, FILE *out, char *err,
			 size_t errlen)
{
	struct writer w = { .out = out };
	json_t *cfg = json_deep_copy(saved);
	json_t *c, *b, *hvm, *h, *hv, *hd, *v, *disks, *nics;
	const char *type, *name, *dmv, *dm, *bios, *fw, *kind;
	long long target_kb, max_kb, video_kb;
	char why[256];
	int rc = 0;

	c = json_object_get(cfg, "c_info");
	b = json_object_get(cfg, "b_info");
	hvm = json_object_get(b, "type.hvm");
	type = json_string_value(json_object_get(c, "type"));
	if (!json_is_object(c) || !json_is_object(b)) {
		snprintf(err, errlen, "the saved config is not a libxl domain config (no c_info/b_info)");
		json_decref(cfg);
		return -1;
	}
	if (!type || strcmp(type, "hvm") || !json_is_object(hvm)) {
		snprintf(err, errlen, "the saved guest is not an HVM guest (c_info.type %s): hvmdm is an HVM device model",
			 type ? type : "missing");
		json_decref(cfg);
		return -1;
	}
	fprintf(out, "# xl config to restore this guest with hvmdm as its device model:\n"
		     "#   xl restore THIS-FILE %s\n"
		     "# Made by hvmdm-stream xl-config from the config saved in that file%s%s%s.\n"
		     "# A line that differs from the saved config says why; what is not carried\n"
		     "# over is listed at the end. After the guest reboots it runs on hvmdm's\n"
		     "# ordinary xenfv machine (SeaBIOS, the qemu-xen ACPI tables).\n",
		     f->source ? f->source : "FILE", f->saved_by ? " (state written by " : "",
		     f->saved_by ? f->saved_by : "", f->saved_by ? ")" : "");

	name = take_str(c, "name", &h);
	if (name)
		line_str(&w, "name", name, NULL);
	json_decref(h);
	carry_str(&w, c, "uuid", "uuid");
	json_decref(take(c, "type"));
	line_str(&w, "type", "hvm", NULL);
	carry_str(&w, c, "pool_name", "pool");
	take_bool(c, "run_hotplug_scripts");

	v = take(b, "target_memkb");
	target_kb = json_integer_value(v);
	json_decref(v);
	v = take(b, "max_memkb");
	max_kb = json_integer_value(v);
	json_decref(v);
	if (target_kb > 0)
		line_int(&w, "memory", target_kb / 1024, NULL);
	if (max_kb > 0 && max_kb != target_kb)
		line_int(&w, "maxmem", max_kb / 1024, NULL);
	v = take(b, "max_vcpus");
	if (json_is_integer(v))
		line_int(&w, "maxvcpus", json_integer_value(v), NULL);
	json_decref(v);
	v = take(b, "avail_vcpus");
	if (json_is_array(v))
		line_int(&w, "vcpus", (long long)json_array_size(v), NULL);
	json_decref(v);

	dmv = take_str(b, "device_model_version", &hv);
	if (dmv && !strcmp(dmv, "qemu_xen"))
		line_str(&w, "device_model_version", "qemu-xen", NULL);
	else {
		snprintf(why, sizeof(why), "was %s: hvmdm is launched as qemu-xen",
			 dmv ? (!strcmp(dmv, "qemu_xen_traditional") ? "qemu-xen-traditional" : dmv)
			     : "not set (libxl's default)");
		line_str(&w, "device_model_version", "qemu-xen", why);
	}
	json_decref(hv);
	dm = take_str(b, "device_model", &hd);
	if (dm && f->dm_path && !strcmp(dm, f->dm_path))
		line_str(&w, "device_model_override", f->dm_path, NULL);
	else {
		snprintf(why, sizeof(why), "was %s", dm ? dm : "not set (the stock device model)");
		line_str(&w, "device_model_override", f->dm_path, why);
	}
	json_decref(hd);
	if (take_bool(b, "device_model_stubdomain") == 1)
		fputs("# device_model_stubdomain_override = 1 dropped: hvmdm runs in dom0 (dm_restrict=1 deprivileges it)\n",
		      out);
	carry_str(&w, b, "device_model_user", "device_model_user");
	carry_str_list(&w, b, "extra", "device_model_args");
	carry_str_list(&w, b, "extra_hvm", "device_model_args_hvm");
	take_bool(b, "claim_mode");

	/* The display: libxl wants more VRAM for qemu-xen than the traditional model had. */
	kind = json_string_value(json_object_get(json_object_get(hvm, "vga"), "kind"));
	v = take(b, "video_memkb");
	video_kb = json_integer_value(v);
	json_decref(v);
	if (!kind || !strcmp(kind, "cirrus") || !strcmp(kind, "std")) {
		bool std = kind && !strcmp(kind, "std");
		long long min = std ? QEMU_XEN_MIN_VRAM_STD_MB : QEMU_XEN_MIN_VRAM_CIRRUS_MB;
		long long mb = video_kb > 0 ? video_kb / 1024 : 0;

		line_str(&w, "vga", std ? "stdvga" : "cirrus", kind ? NULL : "libxl's default card, as saved");
		if (mb && mb < min) {
			snprintf(why, sizeof(why),
				 "was %lld: libxl's minimum for qemu-xen's %s; hvmdm keeps the saved %u MiB of VRAM where the saved state has it",
				 mb, std ? "stdvga" : "Cirrus",
				 f->vram_bytes ? f->vram_bytes >> 20 : (unsigned int)mb);
			line_int(&w, "videoram", min, why);
		} else if (mb) {
			line_int(&w, "videoram", mb, NULL);
		}
	} else if (!strcmp(kind, "none")) {
		line_str(&w, "vga", "none", NULL);
	} else {
		line_str(&w, "vga", kind, "hvmdm refuses this card: hvmdm has cirrus, stdvga and none");
	}
	json_object_del(hvm, "vga");

	bios = take_str(hvm, "bios", &h);
	if (bios && !strcmp(bios, "rombios"))
		fputs("# bios = \"rombios\" dropped: qemu-xen refuses ROMBIOS; the saved guest keeps the BIOS in its memory,\n"
		      "# and after a reboot it boots with SeaBIOS\n", out);
	else if (bios)
		line_str(&w, "bios", bios, NULL);
	json_decref(h);
	fw = take_str(hvm, "firmware", &h);
	if (fw)
		fprintf(out, "# firmware_override = \"%s\" dropped: the saved guest needs no hvmloader to restore,\n"
			     "# and a reboot wants Xen's own hvmloader for SeaBIOS\n", fw);
	json_decref(h);

	carry_str(&w, hvm, "serial", "serial");
	carry_str_list(&w, hvm, "serial_list", "serial");
	{
		json_t *vnc = json_object_get(hvm, "vnc"), *sdl = json_object_get(hvm, "sdl");
		json_t *spice = json_object_get(hvm, "spice");

		carry_bool(&w, vnc, "enable", "vnc");
		carry_str(&w, vnc, "listen", "vnclisten");
		carry_str(&w, vnc, "passwd", "vncpasswd");
		carry_int(&w, vnc, "display", "vncdisplay");
		carry_bool(&w, vnc, "findunused", "vncunused");
		carry_bool(&w, sdl, "enable", "sdl");
		carry_bool(&w, sdl, "opengl", "opengl");
		carry_str(&w, sdl, "display", "display");
		carry_str(&w, sdl, "xauthority", "xauthority");
		if (take_bool(spice, "enable") == 0 && !json_object_size(spice))
			json_object_del(hvm, "spice");
	}
	carry_str(&w, hvm, "keymap", "keymap");
	carry_bool(&w, hvm, "nographic", "nographic");
	carry_str(&w, hvm, "boot", "boot");
	carry_bool(&w, hvm, "usb", "usb");
	carry_int(&w, hvm, "usbversion", "usbversion");
	carry_str(&w, hvm, "usbdevice", "usbdevice");
	carry_str_list(&w, hvm, "usbdevice_list", "usbdevice");
	carry_str(&w, hvm, "soundhw", "soundhw");
	carry_str(&w, hvm, "timer_mode", "timer_mode");
	carry_bool(&w, hvm, "hpet", "hpet");
	carry_bool(&w, hvm, "vpt_align", "vpt_align");
	carry_bool(&w, hvm, "nested_hvm", "nestedhvm");
	carry_bool(&w, hvm, "xen_platform_pci", "xen_platform_pci");
	carry_str(&w, hvm, "vendor_device", "vendor_device");
	carry_str_list(&w, hvm, "viridian_enable", "viridian");
	carry_bool(&w, hvm, "acpi_s3", "acpi_s3");
	carry_bool(&w, hvm, "acpi_s4", "acpi_s4");
	carry_bool(&w, hvm, "acpi_laptop_slate", "acpi_laptop_slate");
	/* Older libxl kept these under type.hvm; 4.17 under b_info. */
	carry_bool(&w, hvm, "acpi", "acpi");
	carry_bool(&w, hvm, "apic", "apic");
	carry_bool(&w, hvm, "pae", "pae");
	carry_bool(&w, hvm, "nx", "nx");
	carry_bool(&w, b, "acpi", "acpi");
	carry_bool(&w, b, "apic", "apic");
	carry_bool(&w, b, "localtime", "localtime");
	carry_int(&w, b, "rtc_timeoffset", "rtc_timeoffset");
	carry_str(&w, b, "tsc_mode", "tsc_mode");
	v = take(b, "shadow_memkb"); /* xl's shadow_memory is in MiB */
	if (json_is_integer(v) && json_integer_value(v) > 0)
		line_int(&w, "shadow_memory", (json_integer_value(v) + 1023) / 1024, NULL);
	json_decref(v);
	carry_bool(&w, b, "disable_migrate", "disable_migrate");
	if (json_is_object(json_object_get(hvm, "rdm")) && !json_object_size(json_object_get(hvm, "rdm")))
		json_object_del(hvm, "rdm");
	{
		json_t *sp = json_object_get(b, "sched_params");

		json_decref(take(sp, "sched")); /* the pool's scheduler, not the guest's to choose */
		carry_int(&w, sp, "weight", "cpu_weight");
		carry_int(&w, sp, "cap", "cap");
		carry_bool(&w, json_object_get(b, "arch_x86"), "msr_relaxed", "msr_relaxed");
	}
	carry_action(&w, cfg, "on_poweroff");
	carry_action(&w, cfg, "on_reboot");
	carry_action(&w, cfg, "on_crash");
	/* xl's defaults for these two are libxl's: written only when set otherwise. */
	if (json_object_get(cfg, "on_watchdog"))
		carry_action(&w, cfg, "on_watchdog");
	v = json_object_get(cfg, "on_soft_reset");
	if (v && json_string_value(v) && strcmp(json_string_value(v), "soft_reset"))
		carry_action(&w, cfg, "on_soft_reset");
	else
		json_object_del(cfg, "on_soft_reset");

	disks = take(cfg, "disks");
	write_disks(&w, disks);
	nics = take(cfg, "nics");
	write_nics(&w, nics);
	json_decref(disks);
	json_decref(nics);
	leftovers(&w, "", cfg);
	if (w.bad) {
		snprintf(err, errlen, "the saved config has %s, which an xl config line cannot carry", w.why);
		rc = -1;
	}
	json_decref(cfg);
	return rc;
}
