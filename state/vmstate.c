// SPDX-License-Identifier: GPL-2.0-only
/*
 * Upstream QEMU VMState layouts (the wire side only) and the interpreter that
 * sizes a section with them. Every description below was written from QEMU
 * 7.2's sources (Debian 12 source package qemu 1:7.2+dfsg-7+deb12u18; the
 * file is named at each group) and checked against real streams: the
 * qemu-xen capture in tests/streams/qemu-xen/ and the two QEMU 7.2 TCG
 * samples of reference/samples/, whose every section these tables size to
 * the byte. Sizes: VMSTATE_UINT8 1, UINT16 2, (U)INT32 4, (U)INT64 and
 * TIMER_PTR 8, BOOL 1, UINTTL the target's long; all big-endian.
 */
#include "vmstate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define F(sz, n) { .kind = VMF_BYTES, .size = (sz), .count = (n) }
#define FV(sz, n, v) { .kind = VMF_BYTES, .size = (sz), .count = (n), .since = (v) }
#define F64(sz, n) { .kind = VMF_BYTES, .flags = VMF_X86_64, .size = (sz), .count = (n) }
#define F_V1(sz) { .kind = VMF_BYTES, .flags = VMF_ONLY_V1, .size = (sz), .count = 1 }
#define TL(n) { .kind = VMF_TL, .count = (n) }
#define TL_REGS { .kind = VMF_TL, .flags = VMF_PER_REG, .count = 1 }
#define REGS(sz, v) { .kind = VMF_BYTES, .flags = VMF_PER_REG, .size = (sz), .count = 1, .since = (v) }
#define REGS64(sz) { .kind = VMF_BYTES, .flags = VMF_X86_64, .size = (sz), .count = 16 }
#define STRUCT(d, n, v) { .kind = VMF_STRUCT, .sub = &(d), .count = (n), .since = (v) }
#define VARRAY(r, sz, max, v) { .kind = VMF_VARRAY, .ref = (r), .size = (sz), .count = (max), .since = (v) }
#define VARRAY_OF(r, d, max) { .kind = VMF_VARRAY, .ref = (r), .sub = &(d), .count = (max) }
#define IF_SET(r, sz) { .kind = VMF_IF_SET, .ref = (r), .size = (sz), .count = 1 }

#define DESC(var, nm, ver, minv, fl) \
	static const struct vmd var = { nm, ver, minv, fl, ARRAY_SIZE(fl), NULL, 0, NULL }
#define DESC_SUBS(var, nm, ver, minv, fl, sb) \
	static const struct vmd var = { nm, ver, minv, fl, ARRAY_SIZE(fl), sb, ARRAY_SIZE(sb), NULL }
/* A subsection of one fixed field list. */
#define SUB(var, nm, ver, ...)                                      \
	static const struct vmf var##_f[] = { __VA_ARGS__ };         \
	static const struct vmd var = { nm, ver, ver, var##_f, ARRAY_SIZE(var##_f), NULL, 0, NULL }
#define SUB_MIN(var, nm, ver, minv, ...)                            \
	static const struct vmf var##_f[] = { __VA_ARGS__ };         \
	static const struct vmd var = { nm, ver, minv, var##_f, ARRAY_SIZE(var##_f), NULL, 0, NULL }
#define SUB_UNSUPPORTED(var, nm, why) \
	static const struct vmd var = { nm, 0xffffffffu, 0, NULL, 0, NULL, 0, why }

/* ------------------------------------------------ PCIDevice (hw/pci/pci.c) */

/* INT32_POSITIVE_LE version_id, config[256] (conventional), irq_state be32[4] (v2). */
static const struct vmf pci_f[] = { F(4, 1), F(1, 256), FV(4, 4, 2) };
DESC(pci_device, "PCIDevice", 2, 1, pci_f);

/* ------------------------------------------------ timer (softmmu/cpu-timers.c) */

static const struct vmf timer_f[] = { F(8, 1), F(8, 1), FV(8, 1, 2) };
/* From 2: version 1 (16 bytes) collides with the traditional 8-byte version 1. timer/icount
 * (-icount only) is not sized. */
DESC(timers, "timer", 2, 2, timer_f);

/* ------------------------------------------------ cpu_common (cpu.c) */

SUB(cc_exception_index, "cpu_common/exception_index", 1, F(4, 1));
SUB(cc_crash_occurred, "cpu_common/crash_occurred", 1, F(1, 1));
static const struct vmd *const cpu_common_subs[] = { &cc_exception_index, &cc_crash_occurred };
static const struct vmf cpu_common_f[] = { F(4, 1), F(4, 1) };
DESC_SUBS(cpu_common, "cpu_common", 1, 1, cpu_common_f, cpu_common_subs);

/* ------------------------------------------------ cpu (target/i386/machine.c) */

static const struct vmf fpreg_f[] = { F(8, 1), F(2, 1) }; /* mantissa, exponent */
DESC(fpreg, "fpreg", 0, 0, fpreg_f);
static const struct vmf segment_f[] = { F(4, 1), TL(1), F(4, 1), F(4, 1) };
DESC(segment, "segment", 1, 1, segment_f);
static const struct vmf mtrr_var_f[] = { F(8, 1), F(8, 1) };
DESC(mtrr_var, "mtrr_var", 1, 1, mtrr_var_f);

SUB(cpu_exception_info, "cpu/exception_info", 1, F(1, 3), F(8, 1));
SUB(cpu_async_pf, "cpu/async_pf_msr", 1, F(8, 1));
SUB(cpu_async_pf_int, "cpu/async_pf_int_msr", 1, F(8, 1));
SUB(cpu_pv_eoi, "cpu/async_pv_eoi_msr", 1, F(8, 1));
SUB(cpu_steal_time, "cpu/steal_time_msr", 1, F(8, 1));
SUB(cpu_poll_control, "cpu/poll_control_msr", 1, F(8, 1));
SUB(cpu_fpop_ip_dp, "cpu/fpop_ip_dp", 1, F(2, 1), F(8, 2));
SUB(cpu_tsc_adjust, "cpu/msr_tsc_adjust", 1, F(8, 1));
SUB(cpu_tscdeadline, "cpu/msr_tscdeadline", 1, F(8, 1));
SUB(cpu_misc_enable, "cpu/msr_ia32_misc_enable", 1, F(8, 1));
SUB(cpu_feature_control, "cpu/msr_ia32_feature_control", 1, F(8, 1));
/* 4 control MSRs, MAX_FIXED_COUNTERS 3, MAX_GP_COUNTERS 18 counters and selectors. */
SUB(cpu_pmu, "cpu/msr_architectural_pmu", 1, F(8, 4), F(8, 3), F(8, 18), F(8, 18));
SUB(cpu_mpx, "cpu/mpx", 1, F(16, 4), F(8, 3));
SUB(cpu_hv_hypercall, "cpu/msr_hyperv_hypercall", 1, F(8, 2));
SUB(cpu_hv_vapic, "cpu/msr_hyperv_vapic", 1, F(8, 1));
SUB(cpu_hv_time, "cpu/msr_hyperv_time", 1, F(8, 1));
SUB(cpu_hv_crash, "cpu/msr_hyperv_crash", 1, F(8, 5));
SUB(cpu_hv_runtime, "cpu/msr_hyperv_runtime", 1, F(8, 1));
SUB(cpu_hv_synic, "cpu/msr_hyperv_synic", 1, F(8, 3), F(8, 16));
SUB(cpu_hv_stimer, "cpu/msr_hyperv_stimer", 1, F(8, 4), F(8, 4));
SUB(cpu_hv_reenlightenment, "cpu/msr_hyperv_reenlightenment", 1, F(8, 3));
/* opmask[8], ZMM_Hi256 of every register, and on x86_64 the 16 high ZMM registers. */
SUB(cpu_avx512, "cpu/avx512", 1, F(8, 8), REGS(32, 0), REGS64(64));
SUB(cpu_xss, "cpu/xss", 1, F(8, 1));
SUB(cpu_umwait, "cpu/umwait", 1, F(4, 1));
SUB(cpu_tsc_khz, "cpu/tsc_khz", 1, F(8, 1));
SUB(cpu_smi_count, "cpu/msr_smi_count", 1, F(8, 1));
SUB(cpu_pkru, "cpu/pkru", 1, F(4, 1));
SUB(cpu_pkrs, "cpu/pkrs", 1, F(4, 1));
SUB(cpu_spec_ctrl, "cpu/spec_ctrl", 1, F(8, 1));
SUB(cpu_amd_tsc_scale, "cpu/amd_tsc_scale_msr", 1, F(8, 1));
SUB(cpu_mcg_ext_ctl, "cpu/mcg_ext_ctl", 1, F(8, 1));
SUB(cpu_intel_pt, "cpu/intel_pt", 1, F(8, 5), F(8, 8));
SUB(cpu_virt_ssbd, "cpu/virt_ssbd", 1, F(8, 1));
SUB(cpu_svm_npt, "cpu/svn_npt", 1, F(8, 1), F(4, 1));
SUB(cpu_svm_guest, "cpu/svm_guest", 1, F(4, 1));
SUB(cpu_efer32, "cpu/efer32", 1, F(8, 1));
SUB_UNSUPPORTED(cpu_nested_state, "cpu/nested_state",
		"KVM nested-virtualization state (its size is the source kernel's), which no Xen guest's device model holds");
SUB(cpu_tsx_ctrl, "cpu/msr_tsx_ctrl", 1, F(4, 1));
SUB(cpu_sgx, "cpu/intel_sgx", 1, F(8, 4));
SUB(cpu_pdptrs, "cpu/pdptrs", 1, F(8, 4));
SUB(cpu_xfd, "cpu/msr_xfd", 1, F(8, 2));
SUB(cpu_amx, "cpu/intel_amx_xtile", 1, F(1, 64), F(1, 8192));
SUB(cpu_arch_lbr, "cpu/arch_lbr", 1, F(8, 2), F(24, 32));
SUB(cpu_triple_fault, "cpu/triple_fault", 1, F(1, 1));

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
	TL_REGS, TL(2),          /* regs[CPU_NB_REGS], eip, eflags */
	F(4, 1),                 /* hflags */
	F(2, 4),                 /* fpuc, fpus, fptag, fpregs_format */
	STRUCT(fpreg, 8, 0),
	STRUCT(segment, 10, 0),  /* segs[6], ldt, tr, gdt, idt */
	F(4, 1), TL(2),          /* sysenter_cs, _esp, _eip */
	TL(4), TL(8),            /* cr0, cr2, cr3, cr4; dr[8] */
	F(4, 2),                 /* a20_mask, mxcsr */
	REGS(16, 0),             /* xmm_regs */
	F64(8, 6),               /* efer, star, lstar, cstar, fmask, kernelgsbase */
	F(4, 1), F(8, 1), F(4, 1), /* smbase, pat, hflags2 */
	F(8, 4), F(2, 4), F(4, 1), F(1, 1), /* vm_hsave .. intercept_exceptions, v_tpr */
	F(8, 11), F(8, 1),       /* mtrr_fixed, mtrr_deftype */
	STRUCT(mtrr_var, 8, 8),
	F(4, 2), F(8, 1), F(4, 1), F(1, 4), F(4, 1), /* interrupt_injected .. sipi_vector */
	F(8, 3), F(8, 40),       /* mcg_cap, _status, _ctl, mce_banks[MCE_BANKS_DEF * 4] */
	F(8, 3),                 /* tsc_aux, system_time_msr, wall_clock_msr */
	FV(8, 2, 12),            /* xcr0, xstate_bv */
	REGS(16, 12),            /* YMMH */
};
DESC_SUBS(cpu, "cpu", 12, 11, cpu_f, cpu_subs);

/* ------------------------------------------------ kvm-tpr-opt (hw/i386/kvmvapic.c) */

static const struct vmf vapic_handlers_f[] = { F(4, 2), F(4, 8), F(4, 1) };
DESC(vapic_handlers, "kvmvapic-handlers", 1, 1, vapic_handlers_f);
static const struct vmf vapic_rom_f[] = { F(1, 8), F(4, 7), STRUCT(vapic_handlers, 2, 0) };
DESC(vapic_rom, "kvmvapic-guest-rom", 1, 1, vapic_rom_f);
static const struct vmf vapic_f[] = { STRUCT(vapic_rom, 1, 0), F(4, 5) };
DESC(vapic, "kvm-tpr-opt", 1, 1, vapic_f);

/* ------------------------------------------------ apic (hw/intc/apic_common.c) */

SUB(apic_sipi, "apic_sipi", 1, F(4, 2));
static const struct vmd *const apic_subs[] = { &apic_sipi };
static const struct vmf apic_f[] = {
	F(4, 1), F(1, 3), F(4, 1), F(1, 2),      /* apicbase, id, arb_id, tpr, spurious, log_dest, dest_mode */
	F(4, 8), F(4, 8), F(4, 8), F(4, 6),       /* isr, tmr, irr, lvt */
	F(4, 1), F(4, 2), F(4, 3), F(8, 3),       /* esr, icr, divide_conf..initial_count, times */
};
DESC_SUBS(apic, "apic", 3, 3, apic_f, apic_subs);

/* ------------------------------------------------ fw_cfg (hw/nvram/fw_cfg.c) */

SUB(fw_cfg_dma, "fw_cfg/dma", 0, F(8, 1));
SUB(fw_cfg_acpi_mr, "fw_cfg/acpi_mr", 1, F(8, 3));
static const struct vmd *const fw_cfg_subs[] = { &fw_cfg_dma, &fw_cfg_acpi_mr };
static const struct vmf fw_cfg_f[] = { F(2, 1), F_V1(2), FV(4, 1, 2) };
DESC_SUBS(fw_cfg, "fw_cfg", 2, 1, fw_cfg_f, fw_cfg_subs);

/* ------------------------------------------------ PCIBUS (hw/pci/pci.c) */

static const struct vmf pcibus_f[] = { F(4, 1), VARRAY(0, 4, 256, 0) }; /* nirq, irq_count[nirq] */
DESC(pcibus, "PCIBUS", 1, 1, pcibus_f);

/* ------------------------------------------------ chipset (hw/pci-host/i440fx.c, hw/isa/piix3.c) */

static const struct vmf i440fx_f[] = { STRUCT(pci_device, 1, 0), F(1, 1) };
DESC(i440fx, "I440FX", 3, 3, i440fx_f);

SUB(piix3_rcr, "PIIX3/rcr", 1, F(1, 1));
static const struct vmd *const piix3_subs[] = { &piix3_rcr };
static const struct vmf piix3_f[] = { STRUCT(pci_device, 1, 0), FV(4, 4, 3) };
DESC_SUBS(piix3, "PIIX3", 3, 2, piix3_f, piix3_subs);

/* ------------------------------------------------ dma (hw/dma/i8257.c) */

static const struct vmf dma_regs_f[] = { F(4, 2), F(2, 2), F(1, 5) };
DESC(dma_regs, "dma_regs", 1, 1, dma_regs_f);
static const struct vmf dma_f[] = { F(1, 3), F(4, 1), STRUCT(dma_regs, 4, 1) };
DESC(dma, "dma", 1, 1, dma_f);

/* ------------------------------------------------ interrupt controllers and timers */

static const struct vmf i8259_f[] = { F(1, 16) }; /* hw/intc/i8259_common.c */
DESC(i8259, "i8259", 1, 1, i8259_f);

/* hw/intc/ioapic_common.c: id, ioregsel, unused (v2), irr (v2), ioredtbl[24] */
static const struct vmf ioapic_f[] = { F(1, 2), FV(8, 1, 2), FV(4, 1, 2), F(8, 24) };
DESC(ioapic, "ioapic", 3, 1, ioapic_f);

/* hw/timer/hpet.c */
static const struct vmf hpet_timer_f[] = { F(1, 1), F(8, 4), F(1, 1), F(8, 1) };
DESC(hpet_timer, "hpet_timer", 1, 1, hpet_timer_f);
SUB(hpet_rtc_irq_level, "hpet/rtc_irq_level", 1, F(1, 1));
SUB(hpet_offset, "hpet/offset", 1, F(8, 1));
static const struct vmd *const hpet_subs[] = { &hpet_rtc_irq_level, &hpet_offset };
/* config, isr, counter, num_timers (v2; HPET_MAX_TIMERS 32), timers[num_timers] */
static const struct vmf hpet_f[] = { F(8, 1), F(8, 1), F(8, 1), FV(1, 1, 2), VARRAY_OF(3, hpet_timer, 32) };
/* Version 1 took the timer count from the destination: not sized. */
DESC_SUBS(hpet, "hpet", 2, 2, hpet_f, hpet_subs);

/* hw/rtc/mc146818rtc.c */
SUB(rtc_reinject, "mc146818rtc/irq_reinject_on_ack_count", 1, F(2, 1));
static const struct vmd *const rtc_subs[] = { &rtc_reinject };
static const struct vmf rtc_f[] = {
	F(1, 128), F(1, 1), F(1, 28), F(8, 2), F(1, 24), /* cmos, index, unused, periodic timer */
	FV(4, 2, 2), FV(8, 5, 3),                         /* coalesced, period; base_rtc .. next_alarm */
};
DESC_SUBS(rtc, "mc146818rtc", 3, 1, rtc_f, rtc_subs);

/* hw/timer/i8254_common.c */
static const struct vmf pit_channel_f[] = { F(4, 1), F(2, 1), F(1, 10), F(8, 2) };
DESC(pit_channel, "pit channel", 2, 2, pit_channel_f);
static const struct vmf pit_f[] = { FV(4, 1, 3), STRUCT(pit_channel, 3, 2), F(8, 1) };
DESC(pit, "i8254", 3, 2, pit_f);

static const struct vmf pcspk_f[] = { F(1, 2) }; /* hw/audio/pcspk.c */
DESC(pcspk, "pcspk", 1, 1, pcspk_f);

/* ------------------------------------------------ serial (hw/char/serial.c, util/fifo8.c) */

/* Fifo8: data (the destination's capacity, 16 for a 16550A), head, num. */
static const struct vmf fifo8_f[] = { F(1, 16), F(4, 2) };
DESC(fifo8, "Fifo8", 1, 1, fifo8_f);
SUB(serial_thr_ipending, "serial/thr_ipending", 1, F(4, 1));
SUB(serial_tsr, "serial/tsr", 1, F(4, 1), F(1, 2));
SUB(serial_recv_fifo, "serial/recv_fifo", 1, STRUCT(fifo8, 1, 0));
SUB(serial_xmit_fifo, "serial/xmit_fifo", 1, STRUCT(fifo8, 1, 0));
SUB(serial_fifo_timeout, "serial/fifo_timeout_timer", 1, F(8, 1));
SUB(serial_timeout_ipending, "serial/timeout_ipending", 1, F(4, 1));
SUB(serial_poll, "serial/poll", 1, F(4, 1), F(8, 1));
static const struct vmd *const serial_subs[] = {
	&serial_thr_ipending, &serial_tsr, &serial_recv_fifo, &serial_xmit_fifo,
	&serial_fifo_timeout, &serial_timeout_ipending, &serial_poll,
};
static const struct vmf serial_f[] = { FV(2, 1, 2), F(1, 8), FV(1, 1, 3) };
/* QEMU reads from 2, whose 10 bytes collide with the traditional 11-byte version 2 hvmdm decodes. */
DESC_SUBS(serial, "serial", 3, 3, serial_f, serial_subs);

/* ------------------------------------------------ fdc (hw/block/fdc.c) */

SUB(fdrive_media_changed, "fdrive/media_changed", 1, F(1, 1));
SUB(fdrive_media_rate, "fdrive/media_rate", 1, F(1, 1));
SUB(fdrive_perpendicular, "fdrive/perpendicular", 1, F(1, 1));
static const struct vmd *const fdrive_subs[] = { &fdrive_media_changed, &fdrive_media_rate,
						 &fdrive_perpendicular };
static const struct vmf fdrive_f[] = { F(1, 3) };
DESC_SUBS(fdrive, "fdrive", 1, 1, fdrive_f, fdrive_subs);
SUB(fdc_reset_sensei, "fdc/reset_sensei", 1, F(4, 1));
SUB(fdc_result_timer, "fdc/result_timer", 1, F(8, 1));
SUB(fdc_phase, "fdc/phase", 1, F(1, 1));
static const struct vmd *const fdc_subs[] = { &fdc_reset_sensei, &fdc_result_timer, &fdc_phase };
/* registers, fifo (FD_SECTOR_LEN, the destination's size), data_pos/len, 9 bytes, num_floppies, drives[MAX_FD] */
static const struct vmf fdc_f[] = { F(1, 9), F(1, 512), F(4, 2), F(1, 9), F(1, 1), STRUCT(fdrive, 2, 1) };
DESC_SUBS(fdc, "fdc", 2, 2, fdc_f, fdc_subs);

/* ------------------------------------------------ i8042 (hw/input/ps2.c, hw/input/pckbd.c) */

static const struct vmf ps2_common_f[] = { F(4, 4), F(1, 256) }; /* write_cmd, rptr, wptr, count, data */
DESC(ps2_common, "PS2 Common State", 3, 2, ps2_common_f);
SUB_MIN(ps2kbd_ledstate, "ps2kbd/ledstate", 3, 2, F(4, 1));
SUB(ps2kbd_high_bit, "ps2kbd/need_high_bit", 1, F(1, 1));
SUB(ps2kbd_cqueue, "ps2kbd/command_reply_queue", 0, F(4, 1));
static const struct vmd *const ps2kbd_subs[] = { &ps2kbd_ledstate, &ps2kbd_high_bit, &ps2kbd_cqueue };
static const struct vmf ps2kbd_f[] = { STRUCT(ps2_common, 1, 0), F(4, 2), FV(4, 1, 3) };
DESC_SUBS(ps2kbd, "ps2kbd", 3, 2, ps2kbd_f, ps2kbd_subs);
SUB(ps2mouse_cqueue, "ps2mouse/command_reply_queue", 0, F(4, 1));
static const struct vmd *const ps2mouse_subs[] = { &ps2mouse_cqueue };
static const struct vmf ps2mouse_f[] = { STRUCT(ps2_common, 1, 0), F(1, 6), F(4, 3), F(1, 1) };
DESC_SUBS(ps2mouse, "ps2mouse", 2, 2, ps2mouse_f, ps2mouse_subs);
SUB(pckbd_outport, "pckbd_outport", 1, F(1, 1));
SUB(pckbd_extended, "pckbd/extended_state", 0, F(4, 2), F(1, 2));
static const struct vmd *const pckbd_subs[] = { &pckbd_outport, &pckbd_extended };
static const struct vmf pckbd_f[] = { F(1, 4) };
DESC_SUBS(pckbd, "pckbd", 3, 3, pckbd_f, pckbd_subs);

/* hw/i386/vmmouse.c: queue_size, queue[1024], nb_queue, status, absolute */
static const struct vmf vmmouse_f[] = { F(4, 1), F(4, 1024), F(2, 2), F(1, 1) };
DESC(vmmouse, "vmmouse", 0, 0, vmmouse_f);

static const struct vmf port92_f[] = { F(1, 1) }; /* hw/i386/port92.c */
DESC(port92, "port92", 1, 1, port92_f);

static const struct vmf pcihost_f[] = { F(4, 1) }; /* hw/pci/pci_host.c: config_reg */
DESC(pcihost, "PCIHost", 1, 1, pcihost_f);

/* ------------------------------------------------ ide (hw/ide/pci.c, hw/ide/core.c) */

SUB(bmdma_current, "ide bmdma_current", 1, F(4, 4));
SUB(bmdma_status, "ide bmdma/status", 1, F(1, 1));
static const struct vmd *const bmdma_subs[] = { &bmdma_current, &bmdma_status };
static const struct vmf bmdma_f[] = { F(1, 2), F(4, 1), F(8, 1), F(4, 1), F(1, 1) };
DESC_SUBS(bmdma, "ide bmdma", 3, 0, bmdma_f, bmdma_subs);
static const struct vmf ide_bus_error_f[] = { F(4, 1), FV(8, 1, 2), FV(4, 1, 2), FV(1, 1, 2) };
static const struct vmd ide_bus_error = { "ide_bus/error", 2, 1, ide_bus_error_f,
					  ARRAY_SIZE(ide_bus_error_f), NULL, 0, NULL };
static const struct vmd *const ide_bus_subs[] = { &ide_bus_error };
static const struct vmf ide_bus_f[] = { F(1, 2) };
DESC_SUBS(ide_bus, "ide_bus", 1, 1, ide_bus_f, ide_bus_subs);
/* io_buffer: the destination's io_buffer_total_len, IDE_DMA_BUF_SECTORS * 512 + 4. */
SUB(ide_pio_state, "ide_drive/pio_state", 1, F(4, 1), F(1, 256 * 512 + 4), F(4, 2), F(1, 1), F(4, 2));
SUB(ide_tray_state, "ide_drive/tray_state", 1, F(1, 2));
SUB(ide_gesn_state, "ide_drive/atapi/gesn_state", 1, F(1, 2));
static const struct vmd *const ide_drive_subs[] = { &ide_pio_state, &ide_tray_state, &ide_gesn_state };
static const struct vmf ide_drive_f[] = {
	F(4, 1), F(4, 1), IF_SET(1, 512),        /* mult_sectors, identify_set, identify_data */
	F(1, 2), F(4, 1), F(1, 3), F(1, 5), F(1, 5), /* feature .. asc */
	FV(1, 1, 3),                              /* cdrom_changed */
};
DESC_SUBS(ide_drive, "ide_drive", 3, 0, ide_drive_f, ide_drive_subs);
static const struct vmf ide_f[] = { STRUCT(pci_device, 1, 0), STRUCT(bmdma, 2, 0),
				    STRUCT(ide_bus, 2, 1), STRUCT(ide_drive, 4, 3) };
DESC(ide, "ide", 3, 0, ide_f);

static const struct vmf i2c_bus_f[] = { F(1, 1) }; /* hw/i2c/core.c: saved_address */
DESC(i2c_bus, "i2c_bus", 1, 1, i2c_bus_f);

/* ------------------------------------------------ piix4_pm (hw/acpi/piix4.c) */

static const struct vmf apm_f[] = { F(1, 2) };
DESC(apm, "APM State", 1, 1, apm_f);
/* hw/i2c/pm_smbus.c pmsmb_vmstate: 6 registers, index, data[32], auxctl, blkdata, 4 bools */
static const struct vmf pmsmb_f[] = { F(1, 6), F(4, 1), F(1, 32), F(1, 2), F(1, 4) };
DESC(pmsmb, "pmsmb", 1, 1, pmsmb_f);
static const struct vmf gpe_f[] = { F(2, 2) }; /* sts, en: host-endian u16 each */
DESC(gpe, "gpe", 1, 1, gpe_f);
static const struct vmf pci_status_f[] = { F(4, 2) }; /* up, down */
DESC(pci_status, "pci_status", 1, 1, pci_status_f);
/* Memory hot-plug: selector, then one entry per slot; libxl configures none. */
SUB(piix4_memhp, "piix4_pm/memhp", 1, F(4, 1));
SUB_UNSUPPORTED(piix4_cpuhp, "piix4_pm/cpuhp",
		"the modern CPU hot-plug interface (an entry per possible vCPU), which hvmloader's ACPI tables never switch to");
static const struct vmd *const piix4_subs[] = { &piix4_memhp, &piix4_cpuhp };
/*
 * The SMBus block is there only for machine types whose smbus_no_migration_support
 * is off (pc >= 4.0); xenfv (= xenfv-3.1) leaves it out. The hot-plug part is the
 * Xen one: use_acpi_hotplug_bridge is forced off under Xen, so pci_status[0]
 * (version 2) and nothing after it.
 */
static const struct vmf piix4_f[] = {
	STRUCT(pci_device, 1, 0), F(2, 3), STRUCT(apm, 1, 0), F(8, 2),
	STRUCT(gpe, 1, 2), STRUCT(pci_status, 1, 2),
};
DESC_SUBS(piix4_pm, "piix4_pm", 3, 3, piix4_f, piix4_subs);
static const struct vmf piix4_smb_f[] = {
	STRUCT(pci_device, 1, 0), F(2, 3), STRUCT(apm, 1, 0), STRUCT(pmsmb, 1, 3), F(8, 2),
	STRUCT(gpe, 1, 2), STRUCT(pci_status, 1, 2),
};
DESC_SUBS(piix4_pm_smb, "piix4_pm", 3, 3, piix4_smb_f, piix4_subs);

/* ------------------------------------------------ display (hw/display/cirrus_vga.c) */

static const struct vmf cirrus_f[] = {
	F(4, 1), F(1, 1), F(1, 256), F(1, 3), F(1, 254), /* latch, sr_index, sr, gr_index, shadows, gr[2..] */
	F(1, 1), F(1, 21), F(4, 1), F(1, 1), F(1, 256),  /* ar_index, ar, ar_flip_flop, cr_index, cr */
	F(1, 8), F(1, 3), F(1, 768), F(4, 1), F(1, 2), F(4, 2), /* msr .. dac, palette, bank, hidden dac, cursor */
};
DESC(cirrus, "cirrus_vga", 2, 2, cirrus_f);
static const struct vmf pci_cirrus_f[] = { STRUCT(pci_device, 1, 0), STRUCT(cirrus, 1, 0) };
DESC(pci_cirrus, "cirrus_vga", 2, 2, pci_cirrus_f);

/* ------------------------------------------------ the rest */

static const struct vmf acpi_build_f[] = { F(1, 1) }; /* hw/i386/acpi-build.c: patched */
DESC(acpi_build, "acpi_build", 1, 1, acpi_build_f);

static const struct vmf platform_f[] = { STRUCT(pci_device, 1, 0), F(1, 1) }; /* hw/i386/xen/xen_platform.c */
DESC(platform, "platform", 4, 4, platform_f);

static const struct vm_layout layouts[] = {
	{ "timer", &timers, 0, NULL },
	{ "cpu_common", &cpu_common, 0, NULL },
	{ "cpu", &cpu, 4, "i386 target (qemu-system-i386, the Xen device model)" },
	{ "cpu", &cpu, 8, "x86_64 target" },
	{ "kvm-tpr-opt", &vapic, 0, NULL },
	{ "apic", &apic, 0, NULL },
	{ "fw_cfg", &fw_cfg, 0, NULL },
	{ "PCIBUS", &pcibus, 0, NULL },
	{ "I440FX", &i440fx, 0, NULL },
	{ "dma", &dma, 0, NULL },
	{ "PIIX3", &piix3, 0, NULL },
	{ "i8259", &i8259, 0, NULL },
	{ "ioapic", &ioapic, 0, NULL },
	{ "hpet", &hpet, 0, NULL },
	{ "mc146818rtc", &rtc, 0, NULL },
	{ "i8254", &pit, 0, NULL },
	{ "pcspk", &pcspk, 0, NULL },
	{ "serial", &serial, 0, NULL },
	{ "fdc", &fdc, 0, NULL },
	{ "ps2kbd", &ps2kbd, 0, NULL },
	{ "ps2mouse", &ps2mouse, 0, NULL },
	{ "pckbd", &pckbd, 0, NULL },
	{ "vmmouse", &vmmouse, 0, NULL },
	{ "port92", &port92, 0, NULL },
	{ "PCIHost", &pcihost, 0, NULL },
	{ "ide", &ide, 0, NULL },
	{ "i2c_bus", &i2c_bus, 0, NULL },
	{ "piix4_pm", &piix4_pm, 0, "without the SMBus block (machine xenfv)" },
	{ "piix4_pm", &piix4_pm_smb, 0, "with the SMBus block (machine pc >= 4.0)" },
	{ "cirrus_vga", &pci_cirrus, 0, NULL },
	{ "acpi_build", &acpi_build, 0, NULL },
	{ "platform", &platform, 0, NULL },
};

size_t vm_layouts(const char *name, const struct vm_layout **first)
{
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		if (strcmp(layouts[i].name, name))
			continue;
		*first = &layouts[i];
		size_t n = 1;

		while (i + n < ARRAY_SIZE(layouts) && !strcmp(layouts[i + n].name, name))
			n++;
		return n;
	}
	return 0;
}

/* ------------------------------------------------ the interpreter */

#define MAX_FIELDS 64

struct walk {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	unsigned int tl; /* target long: 4 or 8 */
	char *err;
	size_t errlen;
};

static int fail(struct walk *w, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct walk *w, size_t at, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->errlen, "byte %zu: %s", at, what);
	return -1;
}

static int need(struct walk *w, uint64_t n, const struct vmd *d)
{
	if (n <= w->len - w->pos)
		return 0;
	return fail(w, w->pos, "the payload ends inside %s (the stream is truncated or the layout is not this one)",
		    d->name);
}

static uint64_t be_at(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int walk(struct walk *w, const struct vmd *d, uint32_t version);

static int walk_subsections(struct walk *w, const struct vmd *d)
{
	size_t prefix = strlen(d->name);

	while (w->pos < w->len && w->buf[w->pos] == 0x05) {
		size_t at = w->pos;
		const struct vmd *s = NULL;
		char name[256];
		uint32_t sv;
		uint8_t n;

		if (w->len - at < 2)
			return fail(w, at, "a subsection header is cut short");
		n = w->buf[at + 1];
		if (w->len - at < 2u + n + 4)
			return fail(w, at, "a subsection header is cut short");
		memcpy(name, w->buf + at + 2, n);
		name[n] = '\0';
		if (strlen(name) != n)
			return fail(w, at, "a subsection name holds a NUL byte");
		/* QEMU: a name that does not start with ours belongs to an enclosing description. */
		if (n < prefix || memcmp(name, d->name, prefix))
			return 0;
		for (size_t i = 0; i < d->nr_subs; i++)
			if (!strcmp(d->subs[i]->name, name))
				s = d->subs[i];
		if (!s)
			return fail(w, at, "subsection \"%s\" of %s is not one QEMU 7.2 writes; the section cannot be sized",
				    name, d->name);
		if (s->unsupported)
			return fail(w, at, "subsection \"%s\" is not read: %s", name, s->unsupported);
		sv = (uint32_t)be_at(w->buf + at + 2 + n, 4);
		if (sv > s->version || sv < s->min_version)
			return fail(w, at, "subsection \"%s\" has version %u, which this build does not size",
				    name, sv);
		w->pos = at + 2u + n + 4;
		if (walk(w, s, sv))
			return -1;
	}
	return 0;
}

static int walk(struct walk *w, const struct vmd *d, uint32_t version)
{
	uint64_t vals[MAX_FIELDS];

	if (d->unsupported)
		return fail(w, w->pos, "%s is not read: %s", d->name, d->unsupported);
	for (size_t i = 0; i < d->nr_fields && i < MAX_FIELDS; i++) {
		const struct vmf *f = &d->fields[i];
		uint64_t count = f->count, n;
		size_t at = w->pos;

		vals[i] = 0;
		if (f->since > version || ((f->flags & VMF_ONLY_V1) && version != 1) ||
		    ((f->flags & VMF_X86_64) && w->tl != 8))
			continue;
		if (f->flags & VMF_PER_REG)
			count *= w->tl == 8 ? 16 : 8;
		switch (f->kind) {
		case VMF_BYTES:
		case VMF_TL:
			n = (f->kind == VMF_TL ? w->tl : f->size) * count;
			if (need(w, n, d))
				return -1;
			if (n <= 8)
				vals[i] = be_at(w->buf + at, (unsigned int)n);
			w->pos += n;
			break;
		case VMF_STRUCT:
			for (uint64_t k = 0; k < count; k++)
				if (walk(w, f->sub, f->sub->version))
					return -1;
			break;
		case VMF_VARRAY: {
			uint64_t c = vals[f->ref];
			if (c > f->count)
				return fail(w, at, "%s: element count %llu (at most %u)", d->name,
					    (unsigned long long)c, f->count);
			if (f->sub) {
				for (uint64_t k = 0; k < c; k++)
					if (walk(w, f->sub, f->sub->version))
						return -1;
			} else {
				if (need(w, c * f->size, d))
					return -1;
				w->pos += c * f->size;
			}
			break;
		}
		case VMF_IF_SET:
			if (vals[f->ref]) {
				if (need(w, f->size, d))
					return -1;
				w->pos += f->size;
			}
			break;
		}
	}
	return walk_subsections(w, d);
}

long vm_payload_size(const struct vm_layout *l, uint32_t version, const uint8_t *buf, size_t len,
		     size_t pos, char *err, size_t errlen)
{
	struct walk w = { .buf = buf, .len = len, .pos = pos, .tl = l->target_long ? l->target_long : 4,
			  .err = err, .errlen = errlen };

	if (version > l->d->version || version < l->d->min_version) {
		snprintf(err, errlen, "byte %zu: %s version %u is outside what this build reads (%u-%u)",
			 pos, l->name, version, l->d->min_version, l->d->version);
		return -1;
	}
	if (walk(&w, l->d, version))
		return -1;
	return (long)(w.pos - pos);
}
