; SPDX-License-Identifier: GPL-2.0-only
;
; Benchmark guest (make bench): N dword reads of guest-physical 0xfe000000, in
; the PCI hole where neither device model maps anything (no BAR is assigned
; there with these device sets), so every read is an MMIO exit answered in
; user space with all-ones. (0xa0000 would not do: QEMU does not exit there.)
; The loop runs in 32-bit protected mode (copied to 0x20000, flat GDT, as
; modes.asm), then powers off (S5). Assembled with -DCOUNT=small and
; -DCOUNT=large, as bench_pio.asm.

%include "rom.inc"

%ifndef COUNT
%define COUNT 1000
%endif
%define LOAD 0x20000
%define TARGET 0xfe000000

bits 16
org 0

ROM_HEADER

init:
	push cs
	pop ds
	ENTER_PM32_PAYLOAD

align 16
payload:
bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ecx, COUNT
.loop:
	mov eax, [TARGET]
	dec ecx
	jnz .loop
	POWER_OFF_S5

FLAT_GDT
payload_end:

ROM_TRAILER
