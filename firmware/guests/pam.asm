; SPDX-License-Identifier: GPL-2.0-only
;
; The i440FX PAM registers, seen from a real-mode guest (an option ROM SeaBIOS
; runs from fw_cfg). It copies itself to 0x20000 (so no PAM change can pull
; its code away), then for every one of the 13 PAM segments (0xc0000-0xeffff
; in 16 KiB steps, PAM1-PAM6 low/high nibbles; 0xf0000-0xfffff, PAM0 high
; nibble) goes through the four RE/WE modes and checks what a read returns
; after each write:
;   off (00): ROM,           writes ignored
;   RW  (11): shadow RAM,    writes land
;   RO  (01): shadow RAM,    writes ignored
;   WO  (10): ROM on reads,  writes reach the shadow RAM
; then restores the byte and the register. Interrupts stay off: the BIOS's
; handlers live in these segments. Prints "PAM segment <n> ok" for each and
; "PAM all 13 segments ok", or "PAM FAIL segment <n> step <s>", then powers
; off (S5).

%include "rom.inc"

bits 16
org 0

%define LOAD_SEG 0x2000
%define OFF 0x10            ; the byte tested in each segment
%define P(x) ((x) - payload) ; a payload label's offset at LOAD_SEG

ROM_HEADER

init:
	cli
	push cs
	pop ds
	RUN_PAYLOAD_REAL

; ---- runs at LOAD_SEG:0, ds = cs ----
payload:
	mov ax, cs
	mov ds, ax
	mov si, P(banner)
	call puts16
	xor bp, bp                 ; segment number
.segment:
	; register and nibble shift for segment bp
	cmp bp, 12
	jb .low
	mov byte [P(reg)], 0x59
	mov byte [P(shift)], 4
	mov word [P(segbase)], 0xf000
	jmp .have
.low:
	mov ax, bp
	shr ax, 1
	add al, 0x5a
	mov [P(reg)], al
	mov ax, bp
	and al, 1
	shl al, 2
	mov [P(shift)], al
	mov ax, bp
	shl ax, 10                 ; 16 KiB = 0x400 paragraphs
	add ax, 0xc000
	mov [P(segbase)], ax
.have:
	mov es, [P(segbase)]
	call pam_read
	mov [P(saved_pam)], al

	mov bl, 1                  ; off: what the ROM holds
	mov al, 0
	call pam_mode
	mov al, [es:OFF]
	mov [P(rom_byte)], al
	not al
	mov [es:OFF], al           ; dropped
	mov al, [es:OFF]
	cmp al, [P(rom_byte)]
	jne fail

	mov bl, 2                  ; RW: the complement sticks
	mov al, 3
	call pam_mode
	mov al, [es:OFF]
	mov [P(ram_byte)], al      ; restored at the end
	mov al, [P(rom_byte)]
	not al
	mov [es:OFF], al
	cmp [es:OFF], al
	jne fail

	mov bl, 3                  ; RO: a write of the ROM byte is dropped
	mov al, 1
	call pam_mode
	mov al, [P(rom_byte)]
	mov [es:OFF], al
	not al
	cmp [es:OFF], al
	jne fail

	mov bl, 4                  ; WO: reads show the ROM ...
	mov al, 2
	call pam_mode
	mov al, [es:OFF]
	cmp al, [P(rom_byte)]
	jne fail
	mov al, [P(rom_byte)]
	xor al, 0x5a
	mov [es:OFF], al
	mov bl, 5                  ; ... while the write went to RAM
	mov al, [es:OFF]
	cmp al, [P(rom_byte)]
	jne fail
	mov bl, 6
	mov al, 3
	call pam_mode
	mov al, [P(rom_byte)]
	xor al, 0x5a
	cmp [es:OFF], al
	jne fail

	mov al, [P(ram_byte)]      ; put back the byte and the register
	mov [es:OFF], al
	mov al, [P(saved_pam)]
	call pam_write
	mov si, P(seg_ok)
	call puts16
	mov ax, bp
	call putdec16
	mov si, P(ok_crlf)
	call puts16
	inc bp
	cmp bp, 13
	jb .segment
	mov si, P(all_ok)
	call puts16
	POWER_OFF_S5

fail:
	mov si, P(failed)
	call puts16
	mov ax, bp
	call putdec16
	mov si, P(step)
	call puts16
	mov al, bl
	add al, '0'
	call putc16
	mov si, P(crlf)
	call puts16
	POWER_OFF_S5

; al = mode (RE | WE << 1) into this segment's nibble of the saved register
pam_mode:
	push cx
	mov cl, [P(shift)]
	shl al, cl
	mov ah, 0x03
	shl ah, cl
	not ah
	mov ch, [P(saved_pam)]
	and ch, ah
	or al, ch
	pop cx
	jmp pam_write

; config register [reg] of 00:00.0 -> al
pam_read:
	push dx
	call pam_select
	in al, dx
	pop dx
	ret

; al -> config register [reg] of 00:00.0
pam_write:
	push dx
	call pam_select
	out dx, al
	pop dx
	ret

; CONFADD for [reg]; dx = the data port byte for it
pam_select:
	push eax
	movzx eax, byte [P(reg)]
	and al, 0xfc
	or eax, 0x80000000
	mov dx, 0xcf8
	out dx, eax
	mov dl, [P(reg)]
	and dl, 3
	add dl, 0xfc
	mov dh, 0x0c
	pop eax
	ret

; ax (< 100) in decimal
putdec16:
	push ax
	push bx
	mov bl, 10
	div bl                     ; al = tens, ah = ones
	test al, al
	jz .ones
	add al, '0'
	call putc16
.ones:
	mov al, ah
	add al, '0'
	call putc16
	pop bx
	pop ax
	ret

COM1_ROUTINES_16

banner:    db "hvmdm test guest: PAM", 13, 10, 0
seg_ok:    db "PAM segment ", 0
all_ok:    db "PAM all 13 segments ok", 13, 10, 0
failed:    db "PAM FAIL segment ", 0
step:      db " step ", 0
crlf:      db 13, 10, 0
ok_crlf:   db " ok", 13, 10, 0
reg:       db 0
shift:     db 0
segbase:   dw 0
saved_pam: db 0
rom_byte:  db 0
ram_byte:  db 0
payload_end:

ROM_TRAILER
