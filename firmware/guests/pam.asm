; SPDX-License-Identifier: GPL-2.0-only
;
; The i440FX PAM registers, seen from a real-mode guest (an option ROM SeaBIOS
; runs from fw_cfg). It switches the 0xec000-0xeffff segment (PAM6 high
; nibble, config 0x5f of 00:00.0) through the four RE/WE modes and checks what
; a read returns after each write:
;   off (00): ROM,           writes ignored
;   RW  (11): shadow RAM,    writes land
;   RO  (01): shadow RAM,    writes ignored
;   WO  (10): ROM on reads,  writes reach the shadow RAM
; then restores the register and the byte and powers off (S5). Prints
; "PAM <mode> ok" per step or "PAM FAIL <step>".

%include "rom.inc"

bits 16
org 0

%define PAM6 0x8000005c        ; config dword 0x5c; PAM6 is its byte 3
%define SEG 0xec00             ; the segment under test, as a real-mode segment

ROM_HEADER

init:
	cli                        ; BIOS interrupt handlers may live in the segment
	push cs
	pop ds
	mov si, banner
	call puts16

	mov ax, SEG
	mov es, ax
	call pam_read
	mov [cs:saved_pam], al

	; off: what the ROM holds at 0xec000
	mov al, 0x00
	call pam_set
	mov al, [es:0]
	mov [cs:rom_byte], al
	not al
	mov [es:0], al             ; dropped
	mov al, [es:0]
	mov bl, 1
	cmp al, [cs:rom_byte]
	jne fail
	mov si, ok_off
	call puts16

	; RW: the complement of the ROM byte sticks
	mov al, [cs:saved_pam]
	or al, 0x30
	call pam_set
	mov al, [es:0]
	mov [cs:ram_byte], al      ; restored at the end
	mov al, [cs:rom_byte]
	not al
	mov [es:0], al
	mov bl, 2
	cmp [es:0], al
	jne fail
	mov si, ok_rw
	call puts16

	; RO: RAM still shows the complement, a write of the ROM byte is dropped
	mov al, [cs:saved_pam]
	and al, 0x0f
	or al, 0x10
	call pam_set
	mov al, [cs:rom_byte]
	mov [es:0], al
	not al
	mov bl, 3
	cmp [es:0], al
	jne fail
	mov si, ok_ro
	call puts16

	; WO: reads show the ROM again; a write of 0x5a reaches RAM ...
	mov al, [cs:saved_pam]
	and al, 0x0f
	or al, 0x20
	call pam_set
	mov al, [es:0]
	mov bl, 4
	cmp al, [cs:rom_byte]
	jne fail
	mov byte [es:0], 0x5a
	mov al, [es:0]
	mov bl, 5
	cmp al, [cs:rom_byte]
	jne fail
	; ... as RW shows
	mov al, [cs:saved_pam]
	or al, 0x30
	call pam_set
	mov bl, 6
	cmp byte [es:0], 0x5a
	jne fail
	mov si, ok_wo
	call puts16

	; Put back the RAM byte and the register as SeaBIOS left them.
	mov al, [cs:ram_byte]
	mov [es:0], al
	mov al, [cs:saved_pam]
	call pam_set
	mov si, done
	call puts16
	POWER_OFF_S5

fail:
	mov si, failed
	call puts16
	mov al, bl
	add al, '0'
	call putc16
	mov si, crlf
	call puts16
	POWER_OFF_S5

; al -> PAM6 (byte access at 0xcff)
pam_set:
	push dx
	push ax
	mov eax, PAM6
	mov dx, 0xcf8
	out dx, eax
	pop ax
	mov dx, 0xcff
	out dx, al
	pop dx
	ret

; PAM6 -> al
pam_read:
	push dx
	mov eax, PAM6
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcff
	in al, dx
	pop dx
	ret

COM1_ROUTINES_16

banner: db "hvmdm test guest: PAM", 13, 10, 0
ok_off: db "PAM off ok", 13, 10, 0
ok_rw:  db "PAM RW ok", 13, 10, 0
ok_ro:  db "PAM RO ok", 13, 10, 0
ok_wo:  db "PAM WO ok", 13, 10, 0
done:   db "PAM restored", 13, 10, 0
failed: db "PAM FAIL ", 0
crlf:   db 13, 10, 0

; Scratch (SeaBIOS runs option ROMs from writable shadow RAM)
saved_pam: db 0
rom_byte:  db 0
ram_byte:  db 0

ROM_TRAILER
