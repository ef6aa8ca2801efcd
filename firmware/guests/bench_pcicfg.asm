; SPDX-License-Identifier: GPL-2.0-only
;
; Benchmark guest (make bench): N dword reads of PCI config space through
; 0xcfc (CONFADD set once to the PIIX3's vendor/device), then S5. Assembled
; with -DCOUNT=small and -DCOUNT=large, as bench_pio.asm.

%include "rom.inc"

%ifndef COUNT
%define COUNT 1000
%endif

bits 16
org 0

ROM_HEADER

init:
	mov eax, 0x80000800        ; 00:01.0, register 0
	mov dx, 0xcf8
	out dx, eax
	mov ecx, COUNT
	mov dx, 0xcfc
.loop:
	in eax, dx
	dec ecx
	jnz .loop
	POWER_OFF_S5

ROM_TRAILER
