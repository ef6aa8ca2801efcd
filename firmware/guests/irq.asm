; SPDX-License-Identifier: GPL-2.0-only
;
; A real-mode test guest that takes interrupts from hvmdm's devices through
; KVM's in-kernel PICs (vectors as SeaBIOS programmed them: IRQ 8 -> 0x70,
; IRQ 9 -> 0x71):
;   - the RTC's periodic interrupt at 1024 Hz, 100 times (ISR reads reg C),
;   - one SCI (ISA IRQ 9) from the PIIX4 PM timer overflow (TMR_EN), the
;     ISR clearing TMR_STS,
; then powers off through PM1a_CNT (S5).

%define DATA 0x7f00         ; counters in conventional memory (segment 0)
%define RTC_COUNT DATA
%define SCI_COUNT DATA + 2
%define PMBASE DATA + 4

%include "rom.inc"

bits 16
org 0


ROM_HEADER

init:
	cli
	push cs
	pop ds
	mov si, banner
	call puts16
	xor ax, ax
	mov es, ax
	mov word [es:RTC_COUNT], 0
	mov word [es:SCI_COUNT], 0
	; PM block from PMBA of 00:01.3.
	PM1A_CNT_TO_DX
	sub dx, 4
	mov [es:PMBASE], dx
	; Hook IRQ 8 and 9.
	mov word [es:0x70 * 4], rtc_isr
	mov [es:0x70 * 4 + 2], cs
	mov word [es:0x71 * 4], sci_isr
	mov [es:0x71 * 4 + 2], cs
	; Unmask the cascade on the master and IRQ 8, 9 on the slave.
	in al, 0x21
	and al, ~0x04
	out 0x21, al
	in al, 0xa1
	and al, ~0x03
	out 0xa1, al
	; RTC: rate 6 (1024 Hz), periodic interrupts on.
	mov al, 0x0a
	out 0x70, al
	mov al, 0x26
	out 0x71, al
	mov al, 0x0b
	out 0x70, al
	in al, 0x71
	or al, 0x40
	mov ah, al
	mov al, 0x0b
	out 0x70, al
	mov al, ah
	out 0x71, al
	mov al, 0x0c               ; clear anything pending
	out 0x70, al
	in al, 0x71
	sti
.rtc:
	hlt
	cmp word [es:RTC_COUNT], 100
	jb .rtc
	cli
	mov al, 0x0b               ; periodic interrupts off
	out 0x70, al
	in al, 0x71
	and al, ~0x40
	mov ah, al
	mov al, 0x0b
	out 0x70, al
	mov al, ah
	out 0x71, al
	mov si, rtc_done
	call puts16
	; SCI: enable the PM timer's overflow event (PM1_EN bit 0) and wait.
	mov dx, [es:PMBASE]
	add dx, 2
	mov ax, 1
	out dx, ax
	sti
.sci:
	hlt
	cmp word [es:SCI_COUNT], 1
	jb .sci
	cli
	mov si, sci_done
	call puts16
	POWER_OFF_S5

rtc_isr:
	push ax
	mov al, 0x0c               ; reading register C acknowledges the RTC
	out 0x70, al
	in al, 0x71
	push es
	xor ax, ax
	mov es, ax
	inc word [es:RTC_COUNT]
	pop es
	mov al, 0x20               ; EOI to slave, then master
	out 0xa0, al
	out 0x20, al
	pop ax
	iret

sci_isr:
	push ax
	push dx
	push es
	xor ax, ax
	mov es, ax
	mov dx, [es:PMBASE]        ; PM1_STS: write 1 to clear TMR_STS
	mov ax, 1
	out dx, ax
	inc word [es:SCI_COUNT]
	pop es
	mov al, 0x20
	out 0xa0, al
	out 0x20, al
	pop dx
	pop ax
	iret

COM1_ROUTINES_16

banner:   db "hvmdm test guest: interrupts", 13, 10, 0
rtc_done: db "100 RTC periodic interrupts on IRQ 8", 13, 10, 0
sci_done: db "SCI on IRQ 9 from the PM timer overflow", 13, 10, 0

ROM_TRAILER

