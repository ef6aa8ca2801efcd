// SPDX-License-Identifier: GPL-2.0-only
/*
 * The upstream QEMU (qemu-xen) sections no hvmdm record kind decodes, and
 * what hvmdm does with each: the vCPUs, interrupt controllers and timers are
 * Xen's (a restore leaves them to the hypervisor's own record), a few are
 * QEMU's internals, and two are devices hvmdm does not emulate (listed as
 * foreign; a restore refuses them). hvmdm still sizes every one of them,
 * because upstream sections carry no lengths: a section it cannot size ends
 * the read. Descriptions from QEMU 7.2 (the source file is named at each
 * group), checked against the captures in tests/streams/qemu-xen/ and
 * reference/samples/.
 */
#include "../codec.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------ cpu_common (cpu.c) */

VM_SUB(cc_exception_index, "cpu_common/exception_index", 1, VM_F(4, 1));
VM_SUB(cc_crash_occurred, "cpu_common/crash_occurred", 1, VM_F(1, 1));
static const struct vmd *const cpu_common_subs[] = { &cc_exception_index, &cc_crash_occurred };
static const struct vmf cpu_common_f[] = { VM_F(4, 1), VM_F(4, 1) };
VM_DESC_SUBS(cpu_common, "cpu_common", 1, 1, cpu_common_f, cpu_common_subs);

/* ------------------------------------------------ cpu (target/i386/machine.c) */

static const struct vmf fpreg_f[] = { VM_F(8, 1), VM_F(2, 1) }; /* mantissa, exponent */
VM_DESC(fpreg, "fpreg", 0, 0, fpreg_f);
static const struct vmf segment_f[] = { VM_F(4, 1), VM_TL(1), VM_F(4, 1), VM_F(4, 1) };
VM_DESC(segment, "segment", 1, 1, segment_f);
static const struct vmf mtrr_var_f[] = { VM_F(8, 1), VM_F(8, 1) };
VM_DESC(mtrr_var, "mtrr_var", 1, 1, mtrr_var_f);

VM_SUB(cpu_exception_info, "cpu/exception_info", 1, VM_F(1, 3), VM_F(8, 1));
VM_SUB(cpu_async_pf, "cpu/async_pf_msr", 1, VM_F(8, 1));
VM_SUB(cpu_async_pf_int, "cpu/async_pf_int_msr", 1, VM_F(8, 1));
VM_SUB(cpu_pv_eoi, "cpu/async_pv_eoi_msr", 1, VM_F(8, 1));
VM_SUB(cpu_steal_time, "cpu/steal_time_msr", 1, VM_F(8, 1));
VM_SUB(cpu_poll_control, "cpu/poll_control_msr", 1, VM_F(8, 1));
VM_SUB(cpu_fpop_ip_dp, "cpu/fpop_ip_dp", 1, VM_F(2, 1), VM_F(8, 2));
VM_SUB(cpu_tsc_adjust, "cpu/msr_tsc_adjust", 1, VM_F(8, 1));
VM_SUB(cpu_tscdeadline, "cpu/msr_tscdeadline", 1, VM_F(8, 1));
VM_SUB(cpu_misc_enable, "cpu/msr_ia32_misc_enable", 1, VM_F(8, 1));
VM_SUB(cpu_feature_control, "cpu/msr_ia32_feature_control", 1, VM_F(8, 1));
/* 4 control MSRs, MAX_FIXED_COUNTERS 3, MAX_GP_COUNTERS 18 counters and selectors. */
VM_SUB(cpu_pmu, "cpu/msr_architectural_pmu", 1, VM_F(8, 4), VM_F(8, 3), VM_F(8, 18), VM_F(8, 18));
VM_SUB(cpu_mpx, "cpu/mpx", 1, VM_F(16, 4), VM_F(8, 3));
VM_SUB(cpu_hv_hypercall, "cpu/msr_hyperv_hypercall", 1, VM_F(8, 2));
VM_SUB(cpu_hv_vapic, "cpu/msr_hyperv_vapic", 1, VM_F(8, 1));
VM_SUB(cpu_hv_time, "cpu/msr_hyperv_time", 1, VM_F(8, 1));
VM_SUB(cpu_hv_crash, "cpu/msr_hyperv_crash", 1, VM_F(8, 5));
VM_SUB(cpu_hv_runtime, "cpu/msr_hyperv_runtime", 1, VM_F(8, 1));
VM_SUB(cpu_hv_synic, "cpu/msr_hyperv_synic", 1, VM_F(8, 3), VM_F(8, 16));
VM_SUB(cpu_hv_stimer, "cpu/msr_hyperv_stimer", 1, VM_F(8, 4), VM_F(8, 4));
VM_SUB(cpu_hv_reenlightenment, "cpu/msr_hyperv_reenlightenment", 1, VM_F(8, 3));
/* opmask[8], ZMM_Hi256 of every register, and on x86_64 the 16 high ZMM registers. */
VM_SUB(cpu_avx512, "cpu/avx512", 1, VM_F(8, 8), VM_REGS(32, 0), VM_REGS64(64));
VM_SUB(cpu_xss, "cpu/xss", 1, VM_F(8, 1));
VM_SUB(cpu_umwait, "cpu/umwait", 1, VM_F(4, 1));
VM_SUB(cpu_tsc_khz, "cpu/tsc_khz", 1, VM_F(8, 1));
VM_SUB(cpu_smi_count, "cpu/msr_smi_count", 1, VM_F(8, 1));
VM_SUB(cpu_pkru, "cpu/pkru", 1, VM_F(4, 1));
VM_SUB(cpu_pkrs, "cpu/pkrs", 1, VM_F(4, 1));
VM_SUB(cpu_spec_ctrl, "cpu/spec_ctrl", 1, VM_F(8, 1));
VM_SUB(cpu_amd_tsc_scale, "cpu/amd_tsc_scale_msr", 1, VM_F(8, 1));
VM_SUB(cpu_mcg_ext_ctl, "cpu/mcg_ext_ctl", 1, VM_F(8, 1));
VM_SUB(cpu_intel_pt, "cpu/intel_pt", 1, VM_F(8, 5), VM_F(8, 8));
VM_SUB(cpu_virt_ssbd, "cpu/virt_ssbd", 1, VM_F(8, 1));
VM_SUB(cpu_svm_npt, "cpu/svn_npt", 1, VM_F(8, 1), VM_F(4, 1));
VM_SUB(cpu_svm_guest, "cpu/svm_guest", 1, VM_F(4, 1));
VM_SUB(cpu_efer32, "cpu/efer32", 1, VM_F(8, 1));
VM_SUB_UNSUPPORTED(cpu_nested_state, "cpu/nested_state",
		"KVM nested-virtualization state (its size is the source kernel's), which no Xen guest's device model holds");
VM_SUB(cpu_tsx_ctrl, "cpu/msr_tsx_ctrl", 1, VM_F(4, 1));
VM_SUB(cpu_sgx, "cpu/intel_sgx", 1, VM_F(8, 4));
VM_SUB(cpu_pdptrs, "cpu/pdptrs", 1, VM_F(8, 4));
VM_SUB(cpu_xfd, "cpu/msr_xfd", 1, VM_F(8, 2));
VM_SUB(cpu_amx, "cpu/intel_amx_xtile", 1, VM_F(1, 64), VM_F(1, 8192));
VM_SUB(cpu_arch_lbr, "cpu/arch_lbr", 1, VM_F(8, 2), VM_F(24, 32));
VM_SUB(cpu_triple_fault, "cpu/triple_fault", 1, VM_F(1, 1));

static const struct vmd *const cpu_subs[] = {
	&cpu_exception_info, &cpu_async_pf, &cpu_async_pf_int, &cpu_pv_eoi, &cpu_steal_time,
	&cpu_poll_control, &cpu_fpop_ip_dp, &cpu_tsc_adjust, &cpu_tscdeadline, &cpu_misc_enable,
	&cpu_feature_control, &cpu_pmu, &cpu_mpx, &cpu_hv_hypercall, &cpu_hv_vapic, &cpu_hv_time,
	&cpu_hv_crash, &cpu_hv_runtime, &cpu_hv_synic, &cpu_hv_stimer, &cpu_hv_reenlightenment,
	&cpu_avx512, &cpu_xss, &cpu_umwait, &cpu_tsc_khz, &cpu_smi_count, &cpu_pkru, &cpu_pkrs,
	&cpu_spec_ctrl, &cpu_amd_tsc_scale, &cpu_mcg_ext_ctl, &cpu_intel_pt, &cpu_virt_ssbd,
	&cpu_svm_npt, &cpu_svm_guest, &cpu_efer32, &cpu_nested_state, &cpu_tsx_ctrl, &cpu_sgx,
	&cpu_pdptrs, &cpu_xfd, &cpu_amx, &cpu_arch_lbr, &cpu_triple_fault,
};

static const struct vmf cpu_f[] = {
	VM_TL_REGS, VM_TL(2),          /* regs[CPU_NB_REGS], eip, eflags */
	VM_F(4, 1),                 /* hflags */
	VM_F(2, 4),                 /* fpuc, fpus, fptag, fpregs_format */
	VM_STRUCT(fpreg, 8, 0),
	VM_STRUCT(segment, 10, 0),  /* segs[6], ldt, tr, gdt, idt */
	VM_F(4, 1), VM_TL(2),          /* sysenter_cs, _esp, _eip */
	VM_TL(4), VM_TL(8),            /* cr0, cr2, cr3, cr4; dr[8] */
	VM_F(4, 2),                 /* a20_mask, mxcsr */
	VM_REGS(16, 0),             /* xmm_regs */
	VM_F64(8, 6),               /* efer, star, lstar, cstar, fmask, kernelgsbase */
	VM_F(4, 1), VM_F(8, 1), VM_F(4, 1), /* smbase, pat, hflags2 */
	VM_F(8, 4), VM_F(2, 4), VM_F(4, 1), VM_F(1, 1), /* vm_hsave .. intercept_exceptions, v_tpr */
	VM_F(8, 11), VM_F(8, 1),       /* mtrr_fixed, mtrr_deftype */
	VM_STRUCT(mtrr_var, 8, 8),
	VM_F(4, 2), VM_F(8, 1), VM_F(4, 1), VM_F(1, 4), VM_F(4, 1), /* interrupt_injected .. sipi_vector */
	VM_F(8, 3), VM_F(8, 40),       /* mcg_cap, _status, _ctl, mce_banks[MCE_BANKS_DEF * 4] */
	VM_F(8, 3),                 /* tsc_aux, system_time_msr, wall_clock_msr */
	VM_FV(8, 2, 12),            /* xcr0, xstate_bv */
	VM_REGS(16, 12),            /* YMMH */
};
VM_DESC_SUBS(cpu, "cpu", 12, 11, cpu_f, cpu_subs);

/* ------------------------------------------------ kvm-tpr-opt (hw/i386/kvmvapic.c) */

static const struct vmf vapic_handlers_f[] = { VM_F(4, 2), VM_F(4, 8), VM_F(4, 1) };
VM_DESC(vapic_handlers, "kvmvapic-handlers", 1, 1, vapic_handlers_f);
static const struct vmf vapic_rom_f[] = { VM_F(1, 8), VM_F(4, 7), VM_STRUCT(vapic_handlers, 2, 0) };
VM_DESC(vapic_rom, "kvmvapic-guest-rom", 1, 1, vapic_rom_f);
static const struct vmf vapic_f[] = { VM_STRUCT(vapic_rom, 1, 0), VM_F(4, 5) };
VM_DESC(vapic, "kvm-tpr-opt", 1, 1, vapic_f);

/* ------------------------------------------------ apic (hw/intc/apic_common.c) */

VM_SUB(apic_sipi, "apic_sipi", 1, VM_F(4, 2));
static const struct vmd *const apic_subs[] = { &apic_sipi };
static const struct vmf apic_f[] = {
	VM_F(4, 1), VM_F(1, 3), VM_F(4, 1), VM_F(1, 2),      /* apicbase, id, arb_id, tpr, spurious, log_dest, dest_mode */
	VM_F(4, 8), VM_F(4, 8), VM_F(4, 8), VM_F(4, 6),       /* isr, tmr, irr, lvt */
	VM_F(4, 1), VM_F(4, 2), VM_F(4, 3), VM_F(8, 3),       /* esr, icr, divide_conf..initial_count, times */
};
VM_DESC_SUBS(apic, "apic", 3, 3, apic_f, apic_subs);

/* ------------------------------------------------ PCIBUS (hw/pci/pci.c) */

static const struct vmf pcibus_f[] = { VM_F(4, 1), VM_VARRAY(0, 4, 256, 0) }; /* nirq, irq_count[nirq] */
VM_DESC(pcibus, "PCIBUS", 1, 1, pcibus_f);

/* ------------------------------------------------ dma (hw/dma/i8257.c) */

static const struct vmf dma_regs_f[] = { VM_F(4, 2), VM_F(2, 2), VM_F(1, 5) };
VM_DESC(dma_regs, "dma_regs", 1, 1, dma_regs_f);
static const struct vmf dma_f[] = { VM_F(1, 3), VM_F(4, 1), VM_STRUCT(dma_regs, 4, 1) };
VM_DESC(dma, "dma", 1, 1, dma_f);

/* ------------------------------------------------ interrupt controllers and timers */

static const struct vmf i8259_f[] = { VM_F(1, 16) }; /* hw/intc/i8259_common.c */
VM_DESC(i8259, "i8259", 1, 1, i8259_f);

/* hw/intc/ioapic_common.c: id, ioregsel, unused (v2), irr (v2), ioredtbl[24] */
static const struct vmf ioapic_f[] = { VM_F(1, 2), VM_FV(8, 1, 2), VM_FV(4, 1, 2), VM_F(8, 24) };
VM_DESC(ioapic, "ioapic", 3, 1, ioapic_f);

/* hw/timer/hpet.c */
static const struct vmf hpet_timer_f[] = { VM_F(1, 1), VM_F(8, 4), VM_F(1, 1), VM_F(8, 1) };
VM_DESC(hpet_timer, "hpet_timer", 1, 1, hpet_timer_f);
VM_SUB(hpet_rtc_irq_level, "hpet/rtc_irq_level", 1, VM_F(1, 1));
VM_SUB(hpet_offset, "hpet/offset", 1, VM_F(8, 1));
static const struct vmd *const hpet_subs[] = { &hpet_rtc_irq_level, &hpet_offset };
/* config, isr, counter, num_timers (v2; HPET_MAX_TIMERS 32), timers[num_timers] */
static const struct vmf hpet_f[] = { VM_F(8, 1), VM_F(8, 1), VM_F(8, 1), VM_FV(1, 1, 2), VM_VARRAY_OF(3, hpet_timer, 32) };
/* Version 1 took the timer count from the destination: not sized. */
VM_DESC_SUBS(hpet, "hpet", 2, 2, hpet_f, hpet_subs);

/* hw/timer/i8254_common.c */
static const struct vmf pit_channel_f[] = { VM_F(4, 1), VM_F(2, 1), VM_F(1, 10), VM_F(8, 2) };
VM_DESC(pit_channel, "pit channel", 2, 2, pit_channel_f);
static const struct vmf pit_f[] = { VM_FV(4, 1, 3), VM_STRUCT(pit_channel, 3, 2), VM_F(8, 1) };
VM_DESC(pit, "i8254", 3, 2, pit_f);

static const struct vmf pcspk_f[] = { VM_F(1, 2) }; /* hw/audio/pcspk.c */
VM_DESC(pcspk, "pcspk", 1, 1, pcspk_f);

/* ------------------------------------------------ fdc (hw/block/fdc.c) */

VM_SUB(fdrive_media_changed, "fdrive/media_changed", 1, VM_F(1, 1));
VM_SUB(fdrive_media_rate, "fdrive/media_rate", 1, VM_F(1, 1));
VM_SUB(fdrive_perpendicular, "fdrive/perpendicular", 1, VM_F(1, 1));
static const struct vmd *const fdrive_subs[] = { &fdrive_media_changed, &fdrive_media_rate,
						 &fdrive_perpendicular };
static const struct vmf fdrive_f[] = { VM_F(1, 3) };
VM_DESC_SUBS(fdrive, "fdrive", 1, 1, fdrive_f, fdrive_subs);
VM_SUB(fdc_reset_sensei, "fdc/reset_sensei", 1, VM_F(4, 1));
VM_SUB(fdc_result_timer, "fdc/result_timer", 1, VM_F(8, 1));
VM_SUB(fdc_phase, "fdc/phase", 1, VM_F(1, 1));
static const struct vmd *const fdc_subs[] = { &fdc_reset_sensei, &fdc_result_timer, &fdc_phase };
/* registers, fifo (FD_SECTOR_LEN, the destination's size), data_pos/len, 9 bytes, num_floppies, drives[MAX_FD] */
static const struct vmf fdc_f[] = { VM_F(1, 9), VM_F(1, 512), VM_F(4, 2), VM_F(1, 9), VM_F(1, 1), VM_STRUCT(fdrive, 2, 1) };
VM_DESC_SUBS(fdc, "fdc", 2, 2, fdc_f, fdc_subs);

/* ------------------------------------------------ input, ports, buses */

/* hw/i386/vmmouse.c: queue_size, queue[1024], nb_queue, status, absolute */
static const struct vmf vmmouse_f[] = { VM_F(4, 1), VM_F(4, 1024), VM_F(2, 2), VM_F(1, 1) };
VM_DESC(vmmouse, "vmmouse", 0, 0, vmmouse_f);

static const struct vmf port92_f[] = { VM_F(1, 1) }; /* hw/i386/port92.c */
VM_DESC(port92, "port92", 1, 1, port92_f);

static const struct vmf i2c_bus_f[] = { VM_F(1, 1) }; /* hw/i2c/core.c: saved_address */
VM_DESC(i2c_bus, "i2c_bus", 1, 1, i2c_bus_f);

/* ------------------------------------------------ user-mode networking (libslirp src/state.c) */

/*
 * slirp_state_save, version 4, with no open socket: the end-of-sockets byte
 * 0, be16 ip_id, then slirp_bootp_save's 16 BOOTP clients (be16 allocated,
 * macaddr[6]). Host state of QEMU's -netdev user, which libxl never uses;
 * a stream with open sockets (marker 42) is refused by check_slirp.
 */
static const struct vmf slirp_f[] = { VM_F(1, 1), VM_F(2, 1), VM_F(8, 16) };
VM_DESC(slirp, "slirp", 4, 4, slirp_f);

static int check_slirp(const uint8_t *p, size_t n, uint32_t instance, size_t at, char *err, size_t errlen)
{
	(void)instance;
	if (n >= 1 && p[0] != 0) {
		snprintf(err, errlen, "byte %zu: slirp (QEMU's user-mode networking) with open sockets: hvmdm does not walk them",
			 at);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------ the rest */

static const struct vmf acpi_build_f[] = { VM_F(1, 1) }; /* hw/i386/acpi-build.c: patched */
VM_DESC(acpi_build, "acpi_build", 1, 1, acpi_build_f);

/* ------------------------------------------------ checks and notes */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The two ISA DMA controllers are instances 0 and 1, with port shifts 0 and 1 (hw/dma/i8257.c). */
static int check_dma(const uint8_t *p, size_t n, uint32_t instance, size_t at, char *err, size_t errlen)
{
	int32_t dshift = n >= 7 ? (int32_t)be32(p + 3) : -1;

	if (instance > 1 || dshift != (int32_t)instance) {
		snprintf(err, errlen, "byte %zu: dma instance %u with port shift %d", at + 3, instance, dshift);
		return -1;
	}
	return 0;
}

static int check_pcibus(const uint8_t *p, size_t n, uint32_t instance, size_t at, char *err,
			size_t errlen)
{
	(void)instance;
	if (n >= 4 && be32(p) != 4 && be32(p) != 128) {
		snprintf(err, errlen, "byte %zu: PCIBUS with %u interrupt lines (PIIX has 4, its Xen variant 128)",
			 at, be32(p));
		return -1;
	}
	return 0;
}

/* One note for all vCPUs, naming the target the producer was built for. */
static bool note_cpu(uint32_t instance, unsigned int target_long, char *what, size_t n)
{
	if (instance)
		return false;
	snprintf(what, n, "cpu (%s)", target_long == 8 ? "x86_64" : "i386");
	return true;
}

#define UNEMULATED(nm, d) { nm, &(d), 0, NULL, VML_UNEMULATED, NULL, NULL }

#define HELD(nm, d) { nm, &(d), 0, NULL, VML_HELD, NULL, NULL }

static const struct vm_layout foreign_layouts[] = {
	HELD("cpu_common", cpu_common),
	{ "cpu", &cpu, 4, "i386 target (qemu-system-i386, the Xen device model)", VML_HELD, NULL, note_cpu },
	{ "cpu", &cpu, 8, "x86_64 target", VML_HELD, NULL, note_cpu },
	HELD("kvm-tpr-opt", vapic),
	HELD("apic", apic),
	{ "PCIBUS", &pcibus, 0, NULL, VML_HELD, check_pcibus, NULL },
	{ "slirp", &slirp, 0, NULL, VML_HELD, check_slirp, NULL },
	{ "dma", &dma, 0, NULL, VML_HELD, check_dma, NULL },
	HELD("i8259", i8259),
	HELD("ioapic", ioapic),
	HELD("hpet", hpet),
	HELD("i8254", pit),
	HELD("pcspk", pcspk),
	HELD("fdc", fdc),
	HELD("port92", port92),
	HELD("i2c_bus", i2c_bus),
	HELD("acpi_build", acpi_build),
	{ "vmmouse", &vmmouse, 0, NULL, VML_UNEMULATED, NULL, NULL },
};

size_t vm_foreign_layouts(const char *name, const struct vm_layout **first)
{
	size_t n = 0;

	for (size_t i = 0; i < VM_NELEMS(foreign_layouts); i++) {
		if (strcmp(foreign_layouts[i].name, name))
			continue;
		if (!n)
			*first = &foreign_layouts[i];
		n++;
	}
	return n;
}
