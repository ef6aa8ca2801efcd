; SPDX-License-Identifier: GPL-2.0-only
;
; The KVM speed probe (tests/kvm-linux.t): from flat 32-bit mode, runs a
; register-only loop 100,000 times (10 chunks of 10,000, the 24-bit ACPI PM
; timer read between chunks so it can never wrap unseen), reports the time
; on the PM timer and powers off (S5). On a KVM with hardware
; virtualization that takes well under a millisecond. The paravirtual KVM of our CI
; machines takes 75-300 ms (0.75-3 us per iteration, measured: about a
; thousand times slower), and there a 64-bit Linux kernel needs many
; minutes to reach user space.
;
;   "kvm probe: 100000 loop iterations in 0x000abcde PM ticks" (3.579545 MHz)

%define LOAD 0x20000
%define CHUNKS 10
%define PER_CHUNK 10000

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
	PM_REG_TO_DX 8
	xor ebx, ebx            ; total ticks
	mov ebp, CHUNKS
	in eax, dx
	mov esi, eax            ; the last reading
.chunk:
	mov ecx, PER_CHUNK
.loop:
	add edi, ecx
	xor edi, 0x5a5a
	dec ecx
	jnz .loop
	in eax, dx
	mov edi, eax
	sub eax, esi
	and eax, 0xffffff
	add ebx, eax
	mov esi, edi
	dec ebp
	jnz .chunk
	mov esi, LOAD + msg - payload
	call puts32
	mov ecx, 8
.hex:
	rol ebx, 4
	mov al, bl
	and al, 0x0f
	add al, '0'
	cmp al, '9'
	jbe .digit
	add al, 'a' - '9' - 1
.digit:
	call putc32
	dec ecx
	jnz .hex
	mov esi, LOAD + msg_end - payload
	call puts32
	POWER_OFF_S5

COM1_ROUTINES_32

FLAT_GDT

msg: db "kvm probe: 100000 loop iterations in 0x", 0
msg_end: db " PM ticks", 13, 10, 0
payload_end:

ROM_TRAILER
