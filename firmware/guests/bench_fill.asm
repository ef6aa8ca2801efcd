; SPDX-License-Identifier: GPL-2.0-only
;
; Benchmark guest for whole-VM save/restore (make bench): fills guest RAM from
; 1 MiB up to FILL_MIB MiB with non-zero data (each dword its own address
; mixed with a constant, so no page is zero and none repeats), prints
; "filled" on COM1 and halts with interrupts off until the VM is saved.

%define LOAD 0x20000
%ifndef FILL_MIB
%define FILL_MIB 240
%endif

%include "rom.inc"

bits 16
org 0

ROM_HEADER

init:
	push cs
	pop ds
	ENTER_PM32_PAYLOAD

COM1_ROUTINES_16

align 16
payload:

bits 32
pm32:
	FLAT_DATA_AND_STACK
	cld
	mov edi, 0x100000
.fill:
	mov eax, edi
	xor eax, 0x5a5aa5a5
	stosd
	cmp edi, FILL_MIB << 20
	jb .fill
	mov esi, LOAD + msg - payload
	call puts32
.idle:
	cli
	hlt
	jmp .idle

COM1_ROUTINES_32

FLAT_GDT

msg: db "filled", 13, 10, 0
payload_end:

ROM_TRAILER
