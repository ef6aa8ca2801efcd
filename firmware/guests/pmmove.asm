; SPDX-License-Identifier: GPL-2.0-only
;
; An I/O range moving under another vCPU (run with -smp 2). The BSP wakes the
; AP with INIT-SIPI-SIPI into a real-mode loop at 0x10000 that reads the ACPI
; PM timer at both 0xb008 and 0xb108, while the BSP moves the PIIX4 PM block
; (PMBA, config 0x40 of 00:01.3 -- the pc chipset's movable I/O BAR) back and
; forth between 0xb000 and 0xb100 MOVES times. Every AP read must return
; either a PM timer value (24 bits: top byte 0) or all-ones (nothing there):
; anything else, or an AP that never finishes, fails. Prints the counts, then
; powers off (S5).

%include "rom.inc"

bits 16
org 0

%define LOAD 0x20000        ; the BSP's 32-bit part
%define A(x) (LOAD + (x) - payload)
%define AP_SEG 0x1000       ; the AP's trampoline: SIPI vector 0x10
%define AP_VAR(x) (AP_SEG * 16 + (x) - ap_start)
%define MOVES 20000
%define AP_READS 20000      ; iterations, two reads each
%define PMBA 0x80000b40

ROM_HEADER

init:
	cli
	push cs
	pop ds
	mov si, banner
	call puts16
	cld
	mov si, ap_start           ; the AP trampoline
	mov ax, AP_SEG
	mov es, ax
	xor di, di
	mov cx, ap_end - ap_start
	rep movsb
	ENTER_PM32_PAYLOAD         ; the BSP's part (ds is still cs)

COM1_ROUTINES_16

banner: db "hvmdm test guest: PM block moving under another vCPU", 13, 10, 0

; ---- the AP: real mode at AP_SEG:0 ----
ap_start:
	cli
	mov ax, cs
	mov ds, ax
	mov byte [ap_alive - ap_start], 1
	mov ecx, AP_READS
.loop:
	mov dx, 0xb008
	call .read
	mov dx, 0xb108
	call .read
	dec ecx
	jnz .loop
	mov byte [ap_done - ap_start], 1
.halt:
	hlt
	jmp .halt
.read:
	in eax, dx
	cmp eax, 0xffffffff
	je .unmapped
	test eax, 0xff000000
	jnz .bad
	inc dword [ap_mapped - ap_start]
	ret
.unmapped:
	inc dword [ap_unmapped - ap_start]
	ret
.bad:
	inc dword [ap_bad - ap_start]
	ret
align 4
ap_mapped:   dd 0
ap_unmapped: dd 0
ap_bad:      dd 0
ap_alive:    db 0
ap_done:     db 0
ap_end:

; ---- the BSP: 32-bit protected mode at LOAD ----
align 16
payload:
bits 32
pm32:
	FLAT_DATA_AND_STACK
	; INIT, then two SIPIs with vector 0x10, to APIC ID 1.
	mov dword [0xfee00310], 1 << 24
	mov dword [0xfee00300], 0x00004500
	call delay
	mov dword [0xfee00310], 1 << 24
	mov dword [0xfee00300], 0x00004600 | (AP_SEG >> 8)
	call delay
	mov dword [0xfee00310], 1 << 24
	mov dword [0xfee00300], 0x00004600 | (AP_SEG >> 8)
	mov ecx, 1000000
.wait_alive:
	cmp byte [AP_VAR(ap_alive)], 1
	je .alive
	pause
	loop .wait_alive
	mov esi, A(msg_no_ap)
	call puts32
	jmp .off
.alive:
	; Move the PM block MOVES times while the AP reads.
	mov ecx, MOVES
.move:
	mov eax, PMBA
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	mov eax, 0xb101
	out dx, eax
	mov eax, 0xb001
	out dx, eax
	loop .move
	mov ecx, 100000000
.wait_done:
	cmp byte [AP_VAR(ap_done)], 1
	je .done
	pause
	loop .wait_done
	mov esi, A(msg_stuck)
	call puts32
	jmp .off
.done:
	mov esi, A(msg_mapped)
	call puts32
	mov eax, [AP_VAR(ap_mapped)]
	call puthex32
	mov esi, A(msg_unmapped)
	call puts32
	mov eax, [AP_VAR(ap_unmapped)]
	call puthex32
	mov esi, A(msg_bad)
	call puts32
	mov eax, [AP_VAR(ap_bad)]
	call puthex32
	mov esi, A(crlf)
	call puts32
	; Verdict: every read accounted for, none bad, both outcomes seen.
	mov eax, [AP_VAR(ap_mapped)]
	add eax, [AP_VAR(ap_unmapped)]
	cmp eax, AP_READS * 2
	jne .fail
	cmp dword [AP_VAR(ap_bad)], 0
	jne .fail
	cmp dword [AP_VAR(ap_mapped)], 0
	je .fail
	cmp dword [AP_VAR(ap_unmapped)], 0
	je .fail
	mov esi, A(msg_ok)
	call puts32
	jmp .off
.fail:
	mov esi, A(msg_fail)
	call puts32
.off:
	POWER_OFF_S5

delay:
	push ecx
	mov ecx, 2000
.d:
	in al, 0x80                ; an exit each: a few ms in all
	loop .d
	pop ecx
	ret

COM1_ROUTINES_32

; eax as eight hex digits
puthex32:
	push ecx
	mov ecx, 8
.digit:
	rol eax, 4
	push eax
	and al, 0x0f
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '9' - 1
.out:
	call putc32
	pop eax
	loop .digit
	pop ecx
	ret

FLAT_GDT

msg_no_ap:    db "PM move: the AP never started", 13, 10, 0
msg_stuck:    db "PM move: the AP never finished", 13, 10, 0
msg_mapped:   db "AP reads: PM timer ", 0
msg_unmapped: db ", nothing there ", 0
msg_bad:      db ", bad ", 0
msg_ok:       db "PM move: ok", 13, 10, 0
msg_fail:     db "PM move: FAIL", 13, 10, 0
crlf:         db 13, 10, 0
payload_end:

ROM_TRAILER
