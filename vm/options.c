// SPDX-License-Identifier: GPL-2.0-only
#include "options.h"

#include "hw/firmware/linux_boot.h"
#include "ui/vnc.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *opt, const char *why, const char *arg)
{
	snprintf(err, errlen, "%s %s: %s", opt, arg ? arg : "", why);
	return -1;
}

/*
 * One row of the command line: an option, whether it takes the next argv
 * element, and what it does. The parser looks nothing else up.
 */
struct cli_option;
typedef int option_fn(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen);

struct cli_option {
	const char *name;
	bool takes_arg;
	option_fn *parse; /* 0, -1 with err, or 1: stop here (-help, -version) */
	size_t field;     /* the struct options member of set_string/set_true */
	const char *help; /* its -help lines as printed; NULL: another row's lines cover it */
};

/*
 * One "key=value,key=value" list in QEMU's syntax: ",," is a literal comma.
 * Calls `fn` for each pair; returns -1 (message in err) on a malformed list.
 */
static int for_each_kv(const char *opt, const char *arg, char *err, size_t errlen,
		       int (*fn)(void *ctx, const char *key, const char *val, char *err, size_t errlen),
		       void *ctx)
{
	char key[32], val[1024];

	while (*arg) {
		size_t k = 0, v = 0;

		while (*arg && *arg != '=' && *arg != ',') {
			if (k + 1 >= sizeof(key))
				return fail(err, errlen, opt, "option name too long", "");
			key[k++] = *arg++;
		}
		key[k] = '\0';
		if (*arg != '=')
			return fail(err, errlen, opt, "expected key=value", key);
		arg++;
		for (;;) {
			if (arg[0] == ',' && arg[1] == ',') {
				arg++; /* an escaped comma */
			} else if (!*arg || *arg == ',') {
				break;
			}
			if (v + 1 >= sizeof(val))
				return fail(err, errlen, opt, "value too long", key);
			val[v++] = *arg++;
		}
		val[v] = '\0';
		if (*arg == ',')
			arg++;
		if (fn(ctx, key, val, err, errlen))
			return -1;
	}
	return 0;
}

struct drive_opts {
	const char *opt;
	char file[1024];
	bool has_file, read_only, cdrom, if_none, if_ide;
	int index;
	char id[64];
	/* -device */
	char driver[32], drive[64];
	int bus, unit;
};

static int drive_kv(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct drive_opts *d = ctx;

	if (!strcmp(key, "file")) {
		snprintf(d->file, sizeof(d->file), "%s", val);
		d->has_file = true;
	} else if (!strcmp(key, "if")) {
		if (!strcmp(val, "ide"))
			d->if_ide = true;
		else if (!strcmp(val, "none"))
			d->if_none = true;
		else
			return fail(err, errlen, d->opt, "only if=ide and if=none (IDE is the emulated disk controller)", val);
	} else if (!strcmp(key, "index")) {
		if (strlen(val) != 1 || val[0] < '0' || val[0] > '3')
			return fail(err, errlen, d->opt, "index must be 0-3 (hda-hdd)", val);
		d->index = val[0] - '0';
	} else if (!strcmp(key, "media")) {
		if (strcmp(val, "disk") && strcmp(val, "cdrom"))
			return fail(err, errlen, d->opt, "media must be disk or cdrom", val);
		d->cdrom = !strcmp(val, "cdrom");
	} else if (!strcmp(key, "format")) {
		if (strcmp(val, "raw"))
			return fail(err, errlen, d->opt, "only format=raw images (convert with qemu-img, or use PV disks)", val);
	} else if (!strcmp(key, "readonly")) {
		if (strcmp(val, "on") && strcmp(val, "off"))
			return fail(err, errlen, d->opt, "readonly must be on or off", val);
		d->read_only = !strcmp(val, "on");
	} else if (!strcmp(key, "id")) {
		snprintf(d->id, sizeof(d->id), "%s", val);
	} else if (!strcmp(key, "cache") || !strcmp(key, "aio") || !strcmp(key, "discard")) {
		/* Writes are synchronous pwrite()s: every cache mode behaves as writethrough to the page cache. */
	} else {
		return fail(err, errlen, d->opt, "unknown drive property", key);
	}
	return 0;
}

static int device_kv(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct drive_opts *d = ctx;

	if (!strcmp(key, "drive")) {
		snprintf(d->drive, sizeof(d->drive), "%s", val);
	} else if (!strcmp(key, "bus")) {
		if (strcmp(val, "ide.0") && strcmp(val, "ide.1"))
			return fail(err, errlen, d->opt, "bus must be ide.0 or ide.1", val);
		d->bus = val[4] - '0';
	} else if (!strcmp(key, "unit")) {
		if (strcmp(val, "0") && strcmp(val, "1"))
			return fail(err, errlen, d->opt, "unit must be 0 or 1", val);
		d->unit = val[0] - '0';
	} else if (!strcmp(key, "id")) {
		snprintf(d->id, sizeof(d->id), "%s", val);
	} else {
		return fail(err, errlen, d->opt, "unknown property of an IDE device", key);
	}
	return 0;
}

static int set_ide_drive(struct options *o, const char *opt, unsigned int index, bool cdrom,
			 const char *path, bool read_only, const char *id, char *err, size_t errlen)
{
	struct ide_drive_config *c = &o->machine.ide[index];

	if (c->kind != IDE_KIND_NONE)
		return fail(err, errlen, opt, "that IDE position is already taken", "");
	if (!cdrom && !path)
		return fail(err, errlen, opt, "a disk needs file=", "");
	c->kind = cdrom ? IDE_KIND_CD : IDE_KIND_DISK;
	c->read_only = read_only;
	c->path = NULL;
	if (path) {
		snprintf(o->drive_path[index], sizeof(o->drive_path[index]), "%s", path);
		c->path = o->drive_path[index];
	}
	c->id = NULL;
	if (id && id[0]) {
		snprintf(o->drive_id[index], sizeof(o->drive_id[index]), "%s", id);
		c->id = o->drive_id[index];
	}
	return 0;
}

/* -drive: if=ide,index=N (a drive now) or if=none,id=X (attached by a later -device). */
static int parse_drive(struct options *o, const struct cli_option *r, const char *arg, char *err,
		       size_t errlen)
{
	const char *opt = r->name;
	struct drive_opts d = { .opt = opt, .index = -1 };

	if (for_each_kv(opt, arg, err, errlen, drive_kv, &d))
		return -1;
	if (d.if_none) {
		if (!d.id[0])
			return fail(err, errlen, opt, "if=none needs id=", arg);
		if (o->nr_pending_drive >= IDE_DRIVES)
			return fail(err, errlen, opt, "at most four drives", arg);
		snprintf(o->pending_drive[o->nr_pending_drive].id, 64, "%s", d.id);
		snprintf(o->pending_drive[o->nr_pending_drive].path, 1024, "%s",
			 d.has_file ? d.file : "");
		o->pending_drive[o->nr_pending_drive].read_only = d.read_only;
		o->nr_pending_drive++;
		return 0;
	}
	if (d.index < 0) {
		/* if=ide without index: the first free position, as QEMU does. */
		for (int i = 0; i < IDE_DRIVES && d.index < 0; i++)
			if (o->machine.ide[i].kind == IDE_KIND_NONE)
				d.index = i;
		if (d.index < 0)
			return fail(err, errlen, opt, "all four IDE positions are taken", arg);
	}
	return set_ide_drive(o, opt, (unsigned int)d.index, d.cdrom, d.has_file ? d.file : NULL,
			     d.read_only || d.cdrom, d.id, err, errlen);
}

/* -device ide-cd|ide-hd,drive=X,bus=ide.B,unit=U (libxl's CD-ROM form). */
static int parse_ide_device(struct options *o, const struct cli_option *r, const char *arg,
			    char *err, size_t errlen)
{
	const char *opt = r->name;
	struct drive_opts d = { .opt = opt, .bus = -1, .unit = 0 };
	const char *comma = strchr(arg, ',');
	bool cdrom = !strncmp(arg, "ide-cd", 6);

	if (!comma)
		return fail(err, errlen, opt, "needs drive= and bus=", arg);
	if (for_each_kv(opt, comma + 1, err, errlen, device_kv, &d))
		return -1;
	if (d.bus < 0)
		return fail(err, errlen, opt, "needs bus=ide.0 or bus=ide.1", arg);
	for (unsigned int i = 0; i < o->nr_pending_drive; i++) {
		if (strcmp(o->pending_drive[i].id, d.drive))
			continue;
		if (o->pending_drive[i].used)
			return fail(err, errlen, opt, "that drive is already attached", d.drive);
		o->pending_drive[i].used = true;
		return set_ide_drive(o, opt, (unsigned int)(d.bus * 2 + d.unit), cdrom,
				     o->pending_drive[i].path[0] ? o->pending_drive[i].path : NULL,
				     o->pending_drive[i].read_only || cdrom,
				     d.id[0] ? d.id : o->pending_drive[i].id, err, errlen);
	}
	return fail(err, errlen, opt, "no -drive if=none with that id", d.drive);
}

/* "128", "128M", "1G": MiB. */
static bool parse_mib(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	if (*end == 'G' || *end == 'g') {
		if (v > UINT64_MAX / 1024)
			return false;
		v *= 1024;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		end++;
	}
	if (*end || v == 0)
		return false;
	*out = v;
	return true;
}

static int parse_machine(struct options *o, const struct cli_option *r, const char *arg, char *err,
		         size_t errlen)
{
	const char *opt = r->name;
	char buf[256];
	char *save = NULL, *tok;

	if (strlen(arg) >= sizeof(buf))
		return fail(err, errlen, opt, "too long", "");
	strcpy(buf, arg);
	tok = strtok_r(buf, ",", &save);
	/* "none": no machine, only the monitor (libxl 4.20's probe instance). */
	if (tok && !strcmp(tok, "none")) {
		o->machine_none = true;
		while ((tok = strtok_r(NULL, ",", &save)))
			if (strcmp(tok, "accel=xen"))
				return fail(err, errlen, opt, "unsupported property of machine none", tok);
		return 0;
	}
	if (!tok || !profile_parse(tok, &o->machine.profile))
		return fail(err, errlen, opt, "unknown machine (xenfv, xenfv-trad, pc, or none)", arg);
	while ((tok = strtok_r(NULL, ",", &save))) {
		/* hvmdm streams never carry QEMU's vmdesc, so this is always true. */
		if (!strcmp(tok, "suppress-vmdesc=on"))
			continue;
		if (!strcmp(tok, "accel=xen")) {
			o->machine_accel_xen = true;
			continue;
		}
		/* Under Xen, hvmloader lays out guest RAM; the device model maps none of it. */
		if (!strncmp(tok, "max-ram-below-4g=", 17) && o->machine.profile != PROFILE_PC)
			continue;
		return fail(err, errlen, opt, "unsupported machine property", tok);
	}
	return 0;
}

/* The options after a socket path: only a listening server that does not wait is built. */
static bool socket_server_opts(char *rest)
{
	char *save = NULL;
	bool server = false;

	for (char *t = strtok_r(rest, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "server") || !strcmp(t, "server=on"))
			server = true;
		else if (strcmp(t, "nowait") && strcmp(t, "wait=off"))
			return false;
	}
	return server;
}

static int add_qmp_path(struct options *o, const char *opt, const char *path, const char *label,
			char *err, size_t errlen)
{
	if (o->nr_qmp >= 4)
		return fail(err, errlen, opt, "at most four QMP monitors", path);
	if (!path[0] || strlen(path) >= sizeof(o->qmp_path[0]))
		return fail(err, errlen, opt, "socket path empty or too long", path);
	snprintf(o->qmp_label[o->nr_qmp], sizeof(o->qmp_label[0]), "%s", label);
	strcpy(o->qmp_path[o->nr_qmp++], path);
	return 0;
}

/* -qmp unix:PATH,server=on,wait=off */
static int parse_qmp(struct options *o, const struct cli_option *r, const char *arg, char *err,
		     size_t errlen)
{
	const char *opt = r->name;
	char buf[512];
	char *comma;

	if (strncmp(arg, "unix:", 5) || strlen(arg) >= sizeof(buf))
		return fail(err, errlen, opt, "only unix:PATH,server=on,wait=off is supported", arg);
	strcpy(buf, arg + 5);
	comma = strchr(buf, ',');
	if (!comma || !socket_server_opts(comma + 1))
		return fail(err, errlen, opt, "needs server=on,wait=off (hvmdm never waits for a client)", arg);
	*comma = '\0';
	return add_qmp_path(o, opt, buf, "compat_monitor0", err, errlen);
}

/* -chardev socket,id=ID,path=PATH,server=on,wait=off */
static int parse_chardev(struct options *o, const struct cli_option *r, const char *arg, char *err,
		         size_t errlen)
{
	const char *opt = r->name;
	char buf[512], rest[512] = "";
	char *save = NULL, *t;
	const char *id = NULL, *path = NULL, *fd = NULL;

	if (strncmp(arg, "socket,", 7) || strlen(arg) >= sizeof(buf))
		return fail(err, errlen, opt, "only socket,id=ID,path=PATH,server=on,wait=off is supported", arg);
	if (o->nr_chardev >= 8)
		return fail(err, errlen, opt, "at most eight -chardev", arg);
	strcpy(buf, arg + 7);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strncmp(t, "id=", 3)) {
			id = t + 3;
		} else if (!strncmp(t, "path=", 5)) {
			path = t + 5;
		} else if (!strncmp(t, "fd=", 3)) {
			fd = t + 3; /* a listening socket the launcher passed down */
		} else {
			if (strlen(rest) + strlen(t) + 2 >= sizeof(rest))
				return fail(err, errlen, opt, "too long", arg);
			strcat(rest, rest[0] ? "," : "");
			strcat(rest, t);
		}
	}
	if (fd) {
		char *end;
		long n = strtol(fd, &end, 10);

		if (*end || end == fd || n < 3 || n > 65535 || path)
			return fail(err, errlen, opt, "fd= needs a descriptor number (and no path=)", arg);
		path = fd - 3; /* stored as "fd=N" in place of a path */
	}
	if (!id || !id[0] || strlen(id) >= sizeof(o->chardev[0].id) || !path || !path[0] ||
	    strlen(path) >= sizeof(o->chardev[0].path))
		return fail(err, errlen, opt, "needs id= and path= (or fd=)", arg);
	if (!socket_server_opts(rest))
		return fail(err, errlen, opt, "needs server=on,wait=off (hvmdm never waits for a client)", arg);
	strcpy(o->chardev[o->nr_chardev].id, id);
	strcpy(o->chardev[o->nr_chardev].path, path);
	o->nr_chardev++;
	return 0;
}

/* -mon chardev=ID,mode=control */
static int parse_mon(struct options *o, const struct cli_option *r, const char *arg, char *err,
		     size_t errlen)
{
	const char *opt = r->name;
	char buf[256];
	char *save = NULL, *t;
	const char *id = NULL;
	bool control = false;

	if (strlen(arg) >= sizeof(buf))
		return fail(err, errlen, opt, "too long", arg);
	strcpy(buf, arg);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strncmp(t, "chardev=", 8))
			id = t + 8;
		else if (!strcmp(t, "mode=control"))
			control = true;
		else
			return fail(err, errlen, opt, "unsupported monitor property", t);
	}
	if (!control)
		return fail(err, errlen, opt, "only mode=control (QMP) monitors are built", arg);
	for (unsigned int i = 0; id && i < o->nr_chardev; i++)
		if (!strcmp(o->chardev[i].id, id))
			return add_qmp_path(o, opt, o->chardev[i].path, o->chardev[i].id, err, errlen);
	return fail(err, errlen, opt, "no -chardev with that id before it", arg);
}


/* ---- what each row does ---- */

#define FIELD(member) offsetof(struct options, member)

static int set_string(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	(void)err;
	(void)errlen;
	*(const char **)((char *)o + r->field) = arg;
	return 0;
}

static int set_true(struct options *o, const struct cli_option *r, const char *arg, char *err,
		    size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	*(bool *)((char *)o + r->field) = true;
	return 0;
}

/* What QEMU makes optional and hvmdm always is: no default devices, no config file, no display. */
static int opt_ignored(struct options *o, const struct cli_option *r, const char *arg, char *err,
		       size_t errlen)
{
	(void)o;
	(void)r;
	(void)arg;
	(void)err;
	(void)errlen;
	return 0;
}

static int opt_help(struct options *o, const struct cli_option *r, const char *arg, char *err,
		    size_t errlen)
{
	(void)r;
	(void)arg;
	(void)err;
	(void)errlen;
	o->mode = MODE_HELP;
	return 1;
}

static int opt_version(struct options *o, const struct cli_option *r, const char *arg, char *err,
		       size_t errlen)
{
	(void)r;
	(void)arg;
	(void)err;
	(void)errlen;
	o->mode = MODE_VERSION;
	return 1;
}

/*
 * libxl's qemu-xen-traditional launch (-d DOMID -domain-name ...,
 * reference/xen-captures/argv-override-qemu-xen-traditional.txt)
 * speaks the xenstore command protocol, not QMP: not hvmdm's.
 */
static int refuse_trad(struct options *o, const struct cli_option *r, const char *arg, char *err,
		       size_t errlen)
{
	(void)o;
	(void)arg;
	snprintf(err, errlen, "%s: this is libxl's device_model_version=\"qemu-xen-traditional\" launch, "
		 "which hvmdm does not take; set device_model_version=\"qemu-xen\" in the xl config "
		 "(a guest saved by qemu-xen-traditional still restores under it)", r->name);
	return -1;
}

static int opt_selfcheck(struct options *o, const struct cli_option *r, const char *arg, char *err,
			 size_t errlen)
{
	(void)r;
	(void)arg;
	(void)err;
	(void)errlen;
	o->mode = MODE_SELFCHECK;
	return 0;
}

static int opt_enable_kvm(struct options *o, const struct cli_option *r, const char *arg, char *err,
			  size_t errlen)
{
	(void)r;
	(void)arg;
	(void)err;
	(void)errlen;
	o->accel = ACCEL_KVM;
	return 0;
}

static int opt_accel(struct options *o, const struct cli_option *r, const char *arg, char *err,
		     size_t errlen)
{
	if (strcmp(arg, "kvm"))
		return fail(err, errlen, r->name, "only kvm (Xen: give -xen-domid N, as libxl does)", arg);
	o->accel = ACCEL_KVM;
	return 0;
}

static int opt_machine(struct options *o, const struct cli_option *r, const char *arg, char *err,
		       size_t errlen)
{
	if (parse_machine(o, r, arg, err, errlen))
		return -1;
	o->machine_given = true;
	return 0;
}

static int opt_memory(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	if (!parse_mib(arg, &o->machine.ram_mib))
		return fail(err, errlen, r->name, "not a memory size in MiB", arg);
	return 0;
}

/* -smp N[,maxcpus=M] */
static int opt_smp(struct options *o, const struct cli_option *r, const char *arg, char *err,
		   size_t errlen)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10), max = n;

	if (!strncmp(end, ",maxcpus=", 9)) {
		char *end2;

		max = strtoul(end + 9, &end2, 10);
		end = end2;
	}
	if (*end || n == 0 || n > MACHINE_MAX_VCPUS || max < n || max > MACHINE_MAX_VCPUS)
		return fail(err, errlen, r->name, "vCPU count must be 1-128 (N[,maxcpus=M], M >= N)", arg);
	o->machine.vcpus = (unsigned int)n;   /* online at start */
	o->max_vcpus = (unsigned int)max;     /* can come online (ACPI CPU hot-plug) */
	return 0;
}

static int opt_serial(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	if (o->machine.nr_serial >= MACHINE_MAX_SERIAL)
		return fail(err, errlen, r->name, "at most two serial ports", arg);
	o->machine.serial[o->machine.nr_serial++] = arg;
	return 0;
}

static int opt_option_rom(struct options *o, const struct cli_option *r, const char *arg,
			  char *err, size_t errlen)
{
	if (o->machine.nr_option_roms >= 4)
		return fail(err, errlen, r->name, "at most four option ROMs", arg);
	o->machine.option_roms[o->machine.nr_option_roms++] = arg;
	return 0;
}

static int opt_incoming(struct options *o, const struct cli_option *r, const char *arg, char *err,
			size_t errlen)
{
	if (strncmp(arg, "file:", 5) && strncmp(arg, "fd:", 3))
		return fail(err, errlen, r->name, "only file:PATH and fd:N are supported", arg);
	o->incoming = arg;
	return 0;
}

static int opt_save_format(struct options *o, const struct cli_option *r, const char *arg, char *err,
			   size_t errlen)
{
	if (strcmp(arg, "hvmdm") && strcmp(arg, "qemu"))
		return fail(err, errlen, r->name, "formats are hvmdm (the default) and qemu", arg);
	o->save_upstream = !strcmp(arg, "qemu");
	return 0;
}

static int opt_xen_domid(struct options *o, const struct cli_option *r, const char *arg, char *err,
			 size_t errlen)
{
	char *end;
	unsigned long d = strtoul(arg, &end, 10);

	if (*end || end == arg || d == 0 || d >= 0x7ff0)
		return fail(err, errlen, r->name, "not a guest domain ID", arg);
	o->xen_domid = (uint32_t)d;
	o->accel = ACCEL_XEN;
	return 0;
}

/* -display none: libxl always passes it (a window of its own is SDL's, not built). */
static int opt_display(struct options *o, const struct cli_option *r, const char *arg, char *err,
		       size_t errlen)
{
	(void)o;
	if (strcmp(arg, "none"))
		return fail(err, errlen, r->name, "only none: an SDL window is not built (set sdl=0 in the xl config)",
			    arg);
	return 0;
}

/* -vnc HOST:N[,to=L][,password=on] | none, as libxl builds it (ui/vnc.c). */
static int opt_vnc(struct options *o, const struct cli_option *r, const char *arg, char *err,
		   size_t errlen)
{
	char why[256];

	(void)r;
	if (vnc_parse(arg, &o->machine.vnc_cfg, &o->machine.vnc, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	return 0;
}

static int opt_net(struct options *o, const struct cli_option *r, const char *arg, char *err,
		   size_t errlen)
{
	(void)o;
	/* libxl's "-net none" when no vif is type=ioemu; emulated NICs come as -device + -netdev. */
	if (strcmp(arg, "none"))
		return fail(err, errlen, r->name,
			    "only -net none: give NICs as -device rtl8139,netdev=ID -netdev tap,id=ID,... (as libxl does)",
			    arg);
	return 0;
}

/*
 * -boot order=XYZ (libxl: xl's boot=, default "cda"): the firmware's boot
 * order in CMOS, as QEMU's pc board keeps it -- at most three devices of
 * a/b (floppy), c (disk), d (CD-ROM), n (network: the first NIC's option ROM).
 */
static int opt_boot(struct options *o, const struct cli_option *r, const char *arg, char *err,
		    size_t errlen)
{
	const char *order = arg + 6;
	size_t n;

	if (strncmp(arg, "order=", 6) || strchr(order, ','))
		return fail(err, errlen, r->name, "only order=... is understood (xl: boot=)", arg);
	n = strlen(order);
	if (n > 3)
		return fail(err, errlen, r->name, "at most three boot devices (xl: boot=, e.g. \"cd\" or \"n\")", arg);
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdn", order[i]))
			return fail(err, errlen, r->name,
				    "boot devices are a (floppy), c (disk), d (CD-ROM), n (network) (xl: boot=)", arg);
	memcpy(o->machine.boot_order, order, n + 1);
	return 0;
}

/* -hda ... -hdd: the letter is the IDE position. */
static int opt_hd(struct options *o, const struct cli_option *r, const char *arg, char *err,
		  size_t errlen)
{
	return set_ide_drive(o, r->name, (unsigned int)(r->name[3] - 'a'), false, arg, false, NULL,
			     err, errlen);
}

static int opt_cdrom(struct options *o, const struct cli_option *r, const char *arg, char *err,
		     size_t errlen)
{
	return set_ide_drive(o, r->name, 2, true, arg, true, NULL, err, errlen);
}

/* An xl vif model= hvmdm does not emulate (libxl pastes model= into -device unchecked). */
static int refuse_nic(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	(void)o;
	return fail(err, errlen, r->name,
		    "this NIC model is not built: set model=rtl8139 (the default) or model=e1000 in the xl vif= line, or type=vif (PV network only)",
		    arg);
}

struct netdev_opts {
	const char *opt;
	struct netdev_config *cfg;
	bool has_fd;
};

static int netdev_kv(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct netdev_opts *n = ctx;

	if (!strcmp(key, "type")) {
		if (!strcmp(val, "tap"))
			n->cfg->kind = NETDEV_TAP;
		else if (!strcmp(val, "socket"))
			n->cfg->kind = NETDEV_SOCKET;
		else
			return fail(err, errlen, n->opt, "only type=tap and type=socket (fd=N) backends", val);
	} else if (!strcmp(key, "id")) {
		if (!*val || strlen(val) >= sizeof(n->cfg->id))
			return fail(err, errlen, n->opt, "id= is 1 to 63 characters", val);
		snprintf(n->cfg->id, sizeof(n->cfg->id), "%s", val);
	} else if (!strcmp(key, "ifname")) {
		if (!*val || strlen(val) >= sizeof(n->cfg->ifname) || strchr(val, '/'))
			return fail(err, errlen, n->opt, "ifname= is an interface name of 1 to 15 characters", val);
		snprintf(n->cfg->ifname, sizeof(n->cfg->ifname), "%s", val);
	} else if (!strcmp(key, "script") || !strcmp(key, "downscript")) {
		/* libxl bridges the tap itself (vif-bridge add type_if=tap) and passes script=no. */
		if (strcmp(val, "no"))
			return fail(err, errlen, n->opt, "hvmdm runs no scripts: script=no,downscript=no (libxl's vif-bridge attaches the tap)", val);
	} else if (!strcmp(key, "br") || !strcmp(key, "bridge")) {
		/* The bridge is libxl's business (its hotplug script); QEMU reads br= only with helper=. */
	} else if (!strcmp(key, "vhost")) {
		if (strcmp(val, "off"))
			return fail(err, errlen, n->opt, "vhost is not used by emulated NICs: vhost=off", val);
	} else if (!strcmp(key, "fd")) {
		char *end;
		long fd;

		errno = 0;
		fd = strtol(val, &end, 10);
		if (errno || end == val || *end || fd < 0 || fd > 65535)
			return fail(err, errlen, n->opt, "fd= is a descriptor number", val);
		n->cfg->fd = (int)fd;
		n->has_fd = true;
	} else {
		return fail(err, errlen, n->opt, "unknown netdev option (type, id, ifname, script, downscript, br, fd)", key);
	}
	return 0;
}

/*
 * -netdev [type=]tap,id=netN,ifname=vifD.N-emu,br=B,script=no,downscript=no
 * (libxl's emulated vif) or -netdev socket,id=X,fd=N.
 */
static int opt_netdev(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	struct netdev_config cfg = { .kind = NETDEV_TAP, .fd = -1 };
	struct netdev_opts n = { r->name, &cfg, false };
	const char *kv = arg;

	if (!strncmp(arg, "tap,", 4) || !strcmp(arg, "tap")) {
		kv = arg + 3 + (arg[3] == ',');
	} else if (!strncmp(arg, "socket,", 7) || !strcmp(arg, "socket")) {
		cfg.kind = NETDEV_SOCKET;
		kv = arg + 6 + (arg[6] == ',');
	}
	if (for_each_kv(r->name, kv, err, errlen, netdev_kv, &n))
		return -1;
	if (!cfg.id[0])
		return fail(err, errlen, r->name, "needs id=", arg);
	if (cfg.kind == NETDEV_SOCKET && !n.has_fd)
		return fail(err, errlen, r->name, "a socket backend needs fd=N", arg);
	if (cfg.kind == NETDEV_TAP && n.has_fd)
		return fail(err, errlen, r->name, "tap,fd= is not supported: give ifname= (hvmdm creates the tap)", arg);
	for (unsigned int i = 0; i < o->nr_netdev; i++)
		if (!strcmp(o->netdev[i].id, cfg.id))
			return fail(err, errlen, r->name, "a -netdev with that id exists", cfg.id);
	if (o->nr_netdev >= MACHINE_MAX_NICS)
		return fail(err, errlen, r->name, "at most 8 emulated NICs", arg);
	o->netdev[o->nr_netdev++] = cfg;
	return 0;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	for (unsigned int i = 0; i < 6; i++) {
		char *end;
		unsigned long b;

		if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || s[0] == ' ')
			return false;
		b = strtoul(s, &end, 16);
		if (end - s != 2 || b > 0xff || (i < 5 ? *end != ':' : *end != '\0'))
			return false;
		mac[i] = (uint8_t)b;
		s = end + (i < 5);
	}
	return true;
}

struct nic_opts {
	const char *opt;
	struct machine_nic *nic;
	char *netdev;
	char *romfile;
	bool has_mac;
};

static int nic_kv(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct nic_opts *n = ctx;

	if (!strcmp(key, "id")) {
		snprintf(n->nic->id, sizeof(n->nic->id), "%s", val);
	} else if (!strcmp(key, "netdev")) {
		snprintf(n->netdev, 64, "%s", val);
	} else if (!strcmp(key, "mac")) {
		if (!parse_mac(val, n->nic->mac))
			return fail(err, errlen, n->opt, "mac= is six hex bytes, 00:16:3e:12:34:56", val);
		if (n->nic->mac[0] & 1)
			return fail(err, errlen, n->opt, "mac= must not be a multicast address", val);
		n->has_mac = true;
	} else if (!strcmp(key, "romfile")) {
		/* QEMU's property: another option ROM, or none (romfile=). */
		if (strlen(val) >= 256)
			return fail(err, errlen, n->opt, "romfile= is a path of at most 255 bytes", val);
		snprintf(n->romfile, 256, "%s", val);
		n->nic->romfile = n->romfile;
	} else if (!strcmp(key, "bootindex")) {
		/* SeaBIOS under Xen takes its order from its own defaults (as with -boot). */
	} else {
		return fail(err, errlen, n->opt, "unknown NIC option (id, netdev, mac, romfile, bootindex)", key);
	}
	return 0;
}

/* -device rtl8139|e1000,id=nicN,netdev=netN,mac=M: libxl's emulated vif (model= unset, rtl8139 or e1000). */
static int parse_nic_device(struct options *o, const struct cli_option *r, const char *arg,
			    char *err, size_t errlen)
{
	struct machine_config *mc = &o->machine;
	struct machine_nic *nic;
	struct nic_opts n;
	const char *comma = strchr(arg, ',');

	if (mc->nr_nics >= MACHINE_MAX_NICS)
		return fail(err, errlen, r->name, "at most 8 emulated NICs", arg);
	nic = &mc->nic[mc->nr_nics];
	memset(nic, 0, sizeof(*nic));
	nic->model = !strncmp(arg, "e1000", 5) ? NIC_E1000 : NIC_RTL8139;
	n = (struct nic_opts){ r->name, nic, o->nic_netdev[mc->nr_nics], o->nic_romfile[mc->nr_nics], false };
	n.netdev[0] = '\0';
	if (comma && for_each_kv(r->name, comma + 1, err, errlen, nic_kv, &n))
		return -1;
	if (!n.netdev[0])
		return fail(err, errlen, r->name, "needs netdev= (a -netdev id)", arg);
	if (!n.has_mac) {
		/* QEMU's default: 52:54:00:12:34:56 plus the NIC's index. */
		static const uint8_t def[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

		memcpy(nic->mac, def, 6);
		nic->mac[5] = (uint8_t)(nic->mac[5] + mc->nr_nics);
	}
	mc->nr_nics++;
	return 0;
}

/* Each NIC's netdev= names a -netdev that no other NIC uses (libxl gives -device before -netdev). */
static int resolve_nics(struct options *o, char *err, size_t errlen)
{
	struct machine_config *mc = &o->machine;

	for (unsigned int i = 0; i < mc->nr_nics; i++) {
		unsigned int j;

		for (j = 0; j < o->nr_netdev; j++)
			if (!strcmp(o->netdev[j].id, o->nic_netdev[i]))
				break;
		if (j == o->nr_netdev)
			return fail(err, errlen, "-device", "netdev= names no -netdev", o->nic_netdev[i]);
		if (o->netdev_used[j])
			return fail(err, errlen, "-device", "that -netdev already has a NIC", o->nic_netdev[i]);
		o->netdev_used[j] = true;
		mc->nic[i].netdev = o->netdev[j];
	}
	for (unsigned int j = 0; j < o->nr_netdev; j++)
		if (!o->netdev_used[j])
			return fail(err, errlen, "-netdev", "no -device NIC uses it (netdev=)", o->netdev[j].id);
	return 0;
}

/*
 * What libxl passes for usbversion=, usbctrl=/usbdev= (EHCI, xHCI, host
 * pass-through): not built. usb=1 and usbdevice= take the UHCI path below.
 */
static int refuse_usb(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	(void)o;
	return fail(err, errlen, r->name,
		    "only the PIIX3 UHCI with a tablet, mouse or keyboard is built: use usb=1 and usbdevice=\"tablet\" in the xl config, not usbversion= or usbctrl=/usbdev=", arg);
}

/* -usb (xl usb=1): the PIIX3 UHCI at 00:01.2. */
static int opt_usb(struct options *o, const struct cli_option *r, const char *arg, char *err,
		   size_t errlen)
{
	(void)r;
	(void)arg;
	(void)err;
	(void)errlen;
	o->machine.usb = true;
	return 0;
}

static int usb_kind(const char *name, size_t len, enum usb_hid_kind *kind)
{
	static const struct {
		const char *legacy, *driver;
		enum usb_hid_kind kind;
	} kinds[] = {
		{ "tablet", "usb-tablet", USB_HID_TABLET },
		{ "mouse", "usb-mouse", USB_HID_MOUSE },
		{ "keyboard", "usb-kbd", USB_HID_KEYBOARD },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((strlen(kinds[i].legacy) == len && !strncmp(name, kinds[i].legacy, len)) ||
		    (strlen(kinds[i].driver) == len && !strncmp(name, kinds[i].driver, len))) {
			*kind = kinds[i].kind;
			return 0;
		}
	return -1;
}

/* -usbdevice tablet|mouse|keyboard (xl usbdevice=): also turns the UHCI on, as in QEMU. */
static int opt_usbdevice(struct options *o, const struct cli_option *r, const char *arg, char *err,
			 size_t errlen)
{
	struct machine_usb *u;

	if (strchr(arg, ':'))
		return fail(err, errlen, r->name,
			    "host pass-through (host:...) is not built: usbdevice= takes tablet, mouse or keyboard in the xl config", arg);
	if (o->nr_usb_legacy >= MACHINE_MAX_USB)
		return fail(err, errlen, r->name, "at most eight USB devices (xl usbdevice=)", arg);
	u = &o->usb_legacy[o->nr_usb_legacy];
	if (usb_kind(arg, strlen(arg), &u->kind))
		return fail(err, errlen, r->name,
			    "not a USB device hvmdm has: usbdevice= takes tablet, mouse or keyboard in the xl config", arg);
	u->port = u->hub_port = 0;
	o->nr_usb_legacy++;
	o->machine.usb = true;
	return 0;
}

/* -device usb-tablet|usb-mouse|usb-kbd[,id=ID][,bus=usb-bus.0][,port=1|2]. */
static int parse_usb_device(struct options *o, const struct cli_option *r, const char *arg, char *err,
			    size_t errlen)
{
	const char *p = arg + strcspn(arg, ",");
	struct machine_usb *u;

	if (o->nr_usb_device >= MACHINE_MAX_USB)
		return fail(err, errlen, r->name, "at most eight USB devices", arg);
	u = &o->usb_device[o->nr_usb_device];
	if (usb_kind(arg, strcspn(arg, ","), &u->kind))
		return fail(err, errlen, r->name, "not a USB device hvmdm has", arg);
	u->port = u->hub_port = 0;
	while (*p == ',') {
		size_t len;

		p++;
		len = strcspn(p, ",");
		if (!strncmp(p, "id=", 3)) {
			/* the name is for the monitor; nothing refers to it */
		} else if ((len == 13 && !strncmp(p, "bus=usb-bus.0", 13)) || (len == 8 && !strncmp(p, "bus=usb.0", 8))) {
			/* the one USB bus */
		} else if (len == 6 && !strncmp(p, "port=", 5) && (p[5] == '1' || p[5] == '2')) {
			u->port = (unsigned int)(p[5] - '0');
			u->hub_port = 0;
		} else if (len == 8 && !strncmp(p, "port=", 5) && (p[5] == '1' || p[5] == '2') && p[6] == '.' &&
			   p[7] >= '1' && p[7] <= '8') {
			u->port = (unsigned int)(p[5] - '0');
			u->hub_port = (unsigned int)(p[7] - '0');
		} else {
			return fail(err, errlen, r->name, "only id=, bus=usb-bus.0 and port=1|2|R.N (a port of the automatic hub) are understood", arg);
		}
		p += len;
	}
	o->nr_usb_device++;
	o->machine.usb = true;
	return 0;
}

/*
 * Place the USB devices as QEMU's usb_claim_port does, in creation order
 * (-usbdevice ones first, then -device ones): a free list that starts as
 * root ports "1" and "2"; a device with port= takes that path; one without
 * takes the head of the list, except that when a single free port is left
 * QEMU first plugs an 8-port hub there and appends its ports "R.1".."R.8".
 */
static int resolve_usb(struct options *o, char *err, size_t errlen)
{
	struct machine_config *mc = &o->machine;
	struct machine_usb all[2 * MACHINE_MAX_USB];
	/* Free ports as (root, hub port): hub port 0 is the root port itself. */
	struct { uint8_t root, hub; } free_list[2 + USB_HUB_PORTS];
	unsigned int n = 0, nr_free = 2;

	free_list[0].root = 1, free_list[0].hub = 0;
	free_list[1].root = 2, free_list[1].hub = 0;
	for (unsigned int i = 0; i < o->nr_usb_legacy; i++)
		all[n++] = o->usb_legacy[i];
	for (unsigned int i = 0; i < o->nr_usb_device; i++)
		all[n++] = o->usb_device[i];
	if (n > MACHINE_MAX_USB)
		return fail(err, errlen, "-usbdevice", "at most eight USB devices (xl usbdevice=)", "");
	mc->usb_hub_port = 0;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = 0;

		if (all[i].port) {
			while (k < nr_free && !(free_list[k].root == all[i].port && free_list[k].hub == all[i].hub_port))
				k++;
			if (k == nr_free)
				return fail(err, errlen, "-device", "that USB port does not exist or is in use (port=)", "");
		} else {
			if (nr_free == 1 && !free_list[0].hub) {
				/* The automatic hub takes the last root port; its ports follow. */
				unsigned int root = free_list[0].root;

				mc->usb_hub_port = root;
				mc->usb_hub_before = i;
				for (unsigned int p = 0; p < USB_HUB_PORTS; p++) {
					free_list[p].root = (uint8_t)root;
					free_list[p].hub = (uint8_t)(p + 1);
				}
				nr_free = USB_HUB_PORTS;
			}
			if (nr_free == 0)
				return fail(err, errlen, "-usbdevice", "no free USB port left", "");
			all[i].port = free_list[0].root;
			all[i].hub_port = free_list[0].hub;
		}
		memmove(&free_list[k], &free_list[k + 1], (nr_free - k - 1) * sizeof(free_list[0]));
		nr_free--;
	}
	for (unsigned int i = 0; i < n; i++)
		mc->usb_dev[i] = all[i];
	mc->nr_usb = n;
	return 0;
}

/* libxl's other display device (vga="qxl", spice's): not built. */
static int refuse_display(struct options *o, const struct cli_option *r, const char *arg,
			  char *err, size_t errlen)
{
	(void)o;
	return fail(err, errlen, r->name,
		    "this display card is not built: set vga=\"cirrus\" (the default) or vga=\"stdvga\" (or vga=\"none\") in the xl config", arg);
}

/*
 * -device VGA[,vgamem_mb=N] (libxl's vga="stdvga") and -device
 * cirrus-vga[,vgamem_mb=N] (no vga= line, or vga="cirrus"); videoram= gives
 * vgamem_mb. The Cirrus takes 4, 8 or 16 MiB, as QEMU's does.
 */
static int parse_display_device(struct options *o, const struct cli_option *r, const char *arg,
				char *err, size_t errlen)
{
	bool cirrus = !strncmp(arg, "cirrus-vga", 10);
	const char *p = arg + (cirrus ? strlen("cirrus-vga") : strlen("VGA"));

	if (o->machine.display != DISPLAY_NONE)
		return fail(err, errlen, r->name, "one display card only", arg);
	while (*p == ',') {
		char *end;
		unsigned long mb;

		p++;
		if (!strncmp(p, "vgamem_mb=", 10)) {
			errno = 0;
			mb = strtoul(p + 10, &end, 10);
			if (errno || end == p + 10 || (*end && *end != ','))
				return fail(err, errlen, r->name, "vgamem_mb is a number of MiB (videoram= in the xl config)", arg);
			if (cirrus && mb != 4 && mb != 8 && mb != 16)
				return fail(err, errlen, r->name, "the Cirrus has 4, 8 or 16 MiB of VRAM (videoram= in the xl config)", arg);
			if (!cirrus && (mb == 0 || mb > 512))
				return fail(err, errlen, r->name, "vgamem_mb is 1 to 512 (videoram= in the xl config)", arg);
			o->machine.vgamem_mb = (unsigned int)mb;
			p = end;
		} else {
			return fail(err, errlen, r->name, "only vgamem_mb= is understood", arg);
		}
	}
	if (*p)
		return fail(err, errlen, r->name, cirrus ? "expected cirrus-vga[,vgamem_mb=N]" : "expected VGA[,vgamem_mb=N]", arg);
	o->machine.display = cirrus ? DISPLAY_CIRRUS : DISPLAY_STDVGA;
	return 0;
}

/*
 * -device DRIVER[,props]: one row per driver. `create` is handed the -device
 * row (for messages) and the whole argument, driver name included.
 */
struct cli_device {
	const char *driver;
	option_fn *create;
	const char *help; /* its -help lines, printed under -device's place */
};

static const struct cli_device devices[] = {
	{ "ide-cd", parse_ide_device,
	  "  -drive if=none,id=ID[,file=F] -device ide-cd,drive=ID,bus=ide.B,unit=U\n" },
	{ "ide-hd", parse_ide_device, NULL },
	{ "cirrus-vga", parse_display_device,
	  "  -device cirrus-vga[,vgamem_mb=4|8|16]  the Cirrus CL-GD5446 (xl: no vga= line, or vga=\"cirrus\")\n" },
	{ "VGA", parse_display_device,
	  "  -device VGA[,vgamem_mb=N]  the standard VGA card (xl: vga=\"stdvga\")\n" },
	{ "qxl-vga", refuse_display, NULL },
	{ "rtl8139", parse_nic_device,
	  "  -device rtl8139,id=ID,netdev=NET[,mac=M][,romfile=F]  the RTL8139C+ NIC (xl: vif model=rtl8139,\n"
	  "                       the default); its option ROM is iPXE's efi-rtl8139.rom (romfile= empty: none)\n" },
	{ "e1000", parse_nic_device,
	  "  -device e1000,id=ID,netdev=NET[,mac=M][,romfile=F]  the Intel 82540EM NIC (xl: vif model=e1000);\n"
	  "                       its option ROM is iPXE's efi-e1000.rom (romfile= empty: none)\n" },
	{ "e1000-82540em", parse_nic_device, NULL },
	{ "e1000e", refuse_nic, NULL },
	{ "virtio-net-pci", refuse_nic, NULL },
	{ "ne2k_pci", refuse_nic, NULL },
	{ "pcnet", refuse_nic, NULL },
	{ "i82551", refuse_nic, NULL },
	{ "i82557b", refuse_nic, NULL },
	{ "i82559er", refuse_nic, NULL },
	{ "vmxnet3", refuse_nic, NULL },
	{ "usb-tablet", parse_usb_device,
	  "  -device usb-tablet|usb-mouse|usb-kbd[,port=1|2]  a HID device on the UHCI (xl: usbdevice=)\n" },
	{ "usb-mouse", parse_usb_device, NULL },
	{ "usb-kbd", parse_usb_device, NULL },
	{ "piix3-usb-uhci", refuse_usb, NULL },
	{ "ich9-usb-ehci1", refuse_usb, NULL },
	{ "ich9-usb-uhci1", refuse_usb, NULL },
	{ "usb-redir", refuse_usb, NULL },
	{ "usb-ehci", refuse_usb, NULL },
	{ "nec-usb-xhci", refuse_usb, NULL },
	{ "qemu-xhci", refuse_usb, NULL },
	{ "usb-host", refuse_usb, NULL },
};

static int opt_device(struct options *o, const struct cli_option *r, const char *arg, char *err,
		      size_t errlen)
{
	size_t len = strcspn(arg, ",");

	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (strlen(devices[i].driver) == len && !strncmp(arg, devices[i].driver, len))
			return devices[i].create(o, r, arg, err, errlen);
	return fail(err, errlen, r->name, "this device is not built yet; remove it from the xl config",
		    arg);
}

/*
 * Every option hvmdm knows, in -help's order; the rows without help are
 * aliases, libxl's argv that hvmdm's defaults already satisfy, or refusals.
 */
static const struct cli_option options[] = {
	{ "-machine", true, opt_machine, 0,
	  "  -machine TYPE[,suppress-vmdesc=on]  xenfv (default), xenfv-trad or pc\n" },
	{ "-M", true, opt_machine, 0, NULL },
	{ "-m", true, opt_memory, 0,
	  "  -m MIB[M|G]          guest memory (default 128 MiB)\n" },
	{ "-smp", true, opt_smp, 0,
	  "  -smp N               vCPUs (1-128)\n" },
	{ "-serial", true, opt_serial, 0,
	  "  -serial SPEC         null | stdio | pty | file:PATH | unix:PATH[,server=on]\n"
	  "                       (up to two: 0x3f8/IRQ 4, 0x2f8/IRQ 3)\n" },
	{ "-selfcheck", false, opt_selfcheck, 0,
	  "  -selfcheck           replay hvmloader's chipset set-up and check the result\n" },
	{ "-accel", true, opt_accel, 0,
	  "  -accel kvm           run the guest on KVM (machine pc; up to 16 vCPUs)\n" },
	{ "-enable-kvm", false, opt_enable_kvm, 0, NULL },
	{ "-bios", true, set_string, FIELD(bios),
	  "  -bios FILE           firmware (default " DEFAULT_BIOS ")\n" },
	{ "-debugcon", true, set_string, FIELD(machine.debugcon),
	  "  -debugcon SPEC       the firmware debug port 0x402 to a backend (as -serial)\n" },
	{ "-option-rom", true, opt_option_rom, 0,
	  "  -option-rom FILE     offer an option ROM to the firmware (fw_cfg genroms/)\n" },
	{ "-kernel", true, set_string, FIELD(machine.kernel),
	  "  -kernel FILE [-initrd FILE] [-append CMDLINE]  boot a Linux bzImage directly\n"
	  "                       (fw_cfg and " LINUXBOOT_ROM ")\n" },
	{ "-initrd", true, set_string, FIELD(machine.initrd), NULL },
	{ "-append", true, set_string, FIELD(machine.append), NULL },
	{ "-hda", true, opt_hd, 0,
	  "  -hda FILE ... -hdd FILE  raw disk images on the PIIX3 IDE channels\n" },
	{ "-hdb", true, opt_hd, 0, NULL },
	{ "-hdc", true, opt_hd, 0, NULL },
	{ "-hdd", true, opt_hd, 0, NULL },
	{ "-cdrom", true, opt_cdrom, 0,
	  "  -cdrom FILE          an ISO image in a CD-ROM drive (secondary master)\n" },
	{ "-drive", true, parse_drive, 0,
	  "  -drive file=F,if=ide,index=N,media=disk|cdrom,format=raw[,readonly=on]\n" },
	{ "-device", true, opt_device, 0, NULL }, /* the drivers' rows carry the help */
	{ "-qmp", true, parse_qmp, 0,
	  "  -qmp unix:PATH,server=on,wait=off   a QMP monitor on a unix socket\n" },
	{ "-chardev", true, parse_chardev, 0,
	  "  -chardev socket,id=ID,path=PATH,server=on,wait=off  (with -mon)\n" },
	{ "-mon", true, parse_mon, 0,
	  "  -mon chardev=ID,mode=control          a QMP monitor on that socket\n" },
	{ "-incoming", true, opt_incoming, 0,
	  "  -incoming file:PATH|fd:N  restore a whole VM saved by QMP migrate (KVM)\n" },
	{ "-save-format", true, opt_save_format, 0,
	  "  -save-format hvmdm|qemu  what xen-save-devices-state writes: hvmdm's stream, or\n"
	  "                       upstream QEMU's, so the stock qemu-xen can take the guest\n"
	  "                       (xl migrate -C, xl restore); QMP hvmdm-set-save-format too\n" },
	{ "-S", false, set_true, FIELD(start_paused),
	  "  -S                   do not start the vCPUs until QMP cont\n" },
	{ "-xen-domid", true, opt_xen_domid, 0,
	  "  -xen-domid N         serve Xen guest N as its device model (libxl's qemu-xen\n"
	  "                       argv: -no-shutdown -nodefaults -name -vnc none -display none\n"
	  "                       -nographic -boot -net none -xen-domid-restrict -chroot -runas)\n" },
	{ "-xen-domid-restrict", false, set_true, FIELD(xen_restrict), NULL },
	{ "-no-shutdown", false, opt_ignored, 0, NULL },
	{ "-nodefaults", false, opt_ignored, 0, NULL },
	{ "-no-user-config", false, opt_ignored, 0, NULL },
	{ "-nographic", false, opt_ignored, 0, NULL },
	{ "-name", true, set_string, FIELD(name), NULL },
	{ "-chroot", true, set_string, FIELD(chroot_dir), NULL },
	{ "-runas", true, set_string, FIELD(runas), NULL },
	{ "-vnc", true, opt_vnc, 0,
	  "  -vnc HOST:N[,to=L][,password=on] | none   VNC server for the display (port 5900+N)\n" },
	{ "-k", true, set_string, FIELD(machine.keymap),
	  "  -k LAYOUT            keyboard layout of VNC clients (en-us; /usr/share/qemu/keymaps)\n" },
	{ "-display", true, opt_display, 0, NULL },
	{ "-net", true, opt_net, 0, NULL },
	{ "-netdev", true, opt_netdev, 0,
	  "  -netdev tap,id=NET,ifname=IF,script=no,downscript=no | socket,id=NET,fd=N\n"
	  "                       a NIC's backend: a tap hvmdm creates (libxl bridges it), an inherited socket\n" },
	{ "-usb", false, opt_usb, 0,
	  "  -usb                 the PIIX3 USB controller (UHCI) at 00:01.2 (xl: usb=1)\n" },
	{ "-usbdevice", true, opt_usbdevice, 0,
	  "  -usbdevice tablet|mouse|keyboard  a HID device on it (xl: usbdevice=)\n" },
	{ "-boot", true, opt_boot, 0, NULL },
	{ "-verbose", false, set_true, FIELD(verbose),
	  "  -verbose             log at debug level\n" },
	{ "-version", false, opt_version, 0,
	  "  -version, -help\n" },
	{ "-help", false, opt_help, 0, NULL },
	{ "-h", false, opt_help, 0, NULL },
	/* libxl's qemu-xen-traditional argv: refused whatever follows them. */
	{ "-d", false, refuse_trad, 0, NULL },
	{ "-domain-name", false, refuse_trad, 0, NULL },
	{ "-vcpu_avail", false, refuse_trad, 0, NULL },
	{ "-videoram", false, refuse_trad, 0, NULL },
};

static const struct cli_option *find_option(const char *name)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (!strcmp(options[i].name, name))
			return &options[i];
	return NULL;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->mode = MODE_RUN;
	o->machine.profile = PROFILE_XENFV;
	o->machine.vcpus = 1;
	o->machine.ram_mib = 128;

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
		const struct cli_option *r;
		int rc;

		/* QEMU accepts --opt as -opt. */
		if (opt[0] == '-' && opt[1] == '-')
			opt++;
		r = find_option(opt);
		if (!arg && (!r || r->takes_arg))
			return fail(err, errlen, opt, "needs an argument (or is unknown; see -help)", "");
		if (!r)
			return fail(err, errlen, opt, "unknown option (see -help)", "");
		rc = r->parse(o, r, r->takes_arg ? arg : NULL, err, errlen);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 0;
		if (r->takes_arg)
			i++;
	}
	if (resolve_nics(o, err, errlen) || resolve_usb(o, err, errlen))
		return -1;
	for (unsigned int i = 0; i < o->nr_pending_drive; i++)
		if (!o->pending_drive[i].used)
			return fail(err, errlen, "-drive", "if=none drive never attached with -device ide-cd/ide-hd",
				    o->pending_drive[i].id);
	o->bios = o->bios ? o->bios : DEFAULT_BIOS;
	/*
	 * libxl asks for "pc,accel=xen" when xen_platform_pci=0: the xenfv
	 * chipset without the Xen platform device. Plain "pc" is KVM's machine.
	 */
	if (o->accel == ACCEL_XEN && o->machine.profile == PROFILE_PC) {
		if (!o->machine_accel_xen)
			return fail(err, errlen, "-machine", "under Xen use xenfv (the default) or pc,accel=xen", "pc");
		o->machine.profile = PROFILE_XENFV;
		o->machine.no_platform_pci = true;
	}
	if (o->accel != ACCEL_XEN && o->machine_accel_xen)
		return fail(err, errlen, "-machine", "accel=xen needs -xen-domid (a Xen guest)", "");
	if (o->accel == ACCEL_KVM) {
		if (!o->machine_given)
			o->machine.profile = PROFILE_PC;
		else if (o->machine.profile != PROFILE_PC)
			return fail(err, errlen, "-machine", "needs Xen; on KVM use -machine pc",
				    profile_name(o->machine.profile));
	}
	return 0;
}

void options_usage(FILE *out)
{
	fputs("usage: hvmdm [options]\n", out);
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (options[i].help)
			fputs(options[i].help, out);
		if (options[i].parse != opt_device)
			continue;
		for (size_t j = 0; j < sizeof(devices) / sizeof(devices[0]); j++)
			if (devices[j].help)
				fputs(devices[j].help, out);
	}
}
