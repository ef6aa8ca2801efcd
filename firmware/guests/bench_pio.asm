; SPDX-License-Identifier: GPL-2.0-only
;
; Benchmark guest (make bench): N `in` instructions from the UART's line
; status register (0x3fd), then power off through PM1a_CNT. Assembled twice,
; with -DCOUNT=small and -DCOUNT=large: the difference in run time divided by
; the difference in exits is the cost of one port-I/O exit, firmware excluded.

%include "rom.inc"

%ifndef COUNT
%define COUNT 1000
%endif

bits 16
org 0

ROM_HEADER

init:
	mov ecx, COUNT
	mov dx, COM1 + 5
.loop:
	in al, dx
	dec ecx
	jnz .loop
	POWER_OFF_S5

ROM_TRAILER
