; SPDX-License-Identifier: GPL-2.0-only
;
; A bootable 1 MiB raw disk image: SeaBIOS finds it on hvmdm's PIIX3 IDE
; primary master, loads the MBR at 0x7c00, which loads the rest with INT 13h
; (extended read). The program then drives the controller itself, polling
; with nIEN set:
;   - PIO READ SECTORS of LBA 100 (a pattern the image carries),
;   - WRITE DMA to LBA 200 through the bus master SeaBIOS mapped at BAR4,
;     read back by PIO; PIO WRITE to LBA 201, read back by READ DMA,
;   - READ SECTORS EXT (LBA48) of LBA 100,
;   - 40 rounds, one per 100 ms of PM-timer time: WRITE DMA of sector 299 + n
;     filled with n, read back by PIO, "disk count n" (the save/restore
;     window), then all 40 sectors read again,
; prints each result on COM1 and powers off through PM1a_CNT. The host then
; checks that sectors 200 and 201 of its image file hold what was written.

%include "rom.inc"

bits 16
org 0x7c00

%define IDE 0x1f0
%define IDE_CTL 0x3f6
%define PRD 0x0600
%define BUF_A 0xc000
%define BUF_B 0xd000
%define SECTORS 16 ; program sectors after the MBR
%define ROUNDS 40

mbr:
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7000
	mov [boot_drive], dl
	mov si, dap
	mov ah, 0x42
	int 0x13
	jc .fail
	jmp main
.fail:
	mov si, msg_int13
	call puts16
	cli
	hlt

dap:
	db 0x10, 0
	dw SECTORS
	dw 0x7e00, 0
	dq 1
boot_drive: db 0
msg_int13: db "hvmdm disk guest: INT 13h read failed", 13, 10, 0

COM1_ROUTINES_16

	times 510 - ($ - mbr) db 0
	dw 0xaa55

; ------------------------------------------------------------------ sector 1
main:
	mov si, msg_boot
	call puts16
	mov dx, IDE_CTL
	mov al, 0x02 ; nIEN: we poll
	out dx, al

	; 1. PIO read of LBA 100: byte i = i * 3 + 0x11.
	mov eax, 100
	mov di, BUF_A
	call pio_read
	jc fail
	mov si, BUF_A
	call check_pattern100
	jc fail
	mov si, msg_pio_read
	call puts16

	; The bus master: BAR4 of 00:01.1, bus mastering on.
	mov eax, 0x80000920
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and ax, 0xfffc
	mov [bm], ax
	mov eax, 0x80000904
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in ax, dx
	or ax, 0x0005
	out dx, ax

	; 2. WRITE DMA of BUF_B (i ^ 0x5a) to LBA 200, read back by PIO.
	mov di, BUF_B
	xor cx, cx
.fill_b:
	mov al, cl
	xor al, 0x5a
	stosb
	inc cx
	cmp cx, 512
	jne .fill_b
	mov eax, 200
	mov bx, BUF_B
	mov cl, 0xca
	mov ch, 0x00 ; memory to device
	call dma
	jc fail
	mov eax, 200
	mov di, BUF_A
	call pio_read
	jc fail
	mov si, BUF_A
	mov di, BUF_B
	mov cx, 512
	repe cmpsb
	jne fail
	mov si, msg_dma_write
	call puts16

	; 3. PIO WRITE of BUF_B (i * 7) to LBA 201, read back by READ DMA into BUF_A.
	mov di, BUF_B
	xor cx, cx
.fill_c:
	mov al, cl
	mov bl, 7
	mul bl
	stosb
	inc cx
	cmp cx, 512
	jne .fill_c
	mov eax, 201
	mov si, BUF_B
	call pio_write
	jc fail
	mov di, BUF_A
	mov cx, 256
	xor ax, ax
	rep stosw
	mov eax, 201
	mov bx, BUF_A
	mov cl, 0xc8
	mov ch, 0x08 ; device to memory
	call dma
	jc fail
	mov si, BUF_A
	mov di, BUF_B
	mov cx, 512
	repe cmpsb
	jne fail
	mov si, msg_dma_read
	call puts16

	; 4. READ SECTORS EXT of LBA 100 (48-bit registers: high bytes first).
	call wait_ready
	mov dx, IDE + 6
	mov al, 0x40
	out dx, al
	mov dx, IDE + 2
	xor al, al
	out dx, al
	mov al, 1
	out dx, al
	mov dx, IDE + 3
	xor al, al
	out dx, al
	mov al, 100
	out dx, al
	mov dx, IDE + 4
	xor al, al
	out dx, al
	out dx, al
	mov dx, IDE + 5
	out dx, al
	out dx, al
	mov dx, IDE + 7
	mov al, 0x24
	out dx, al
	mov di, BUF_A
	call pio_in_block
	jc fail
	mov si, BUF_A
	call check_pattern100
	jc fail
	mov si, msg_lba48
	call puts16

	; 5. Forty rounds, one per 100 ms of PM-timer time: WRITE DMA of sector
	;    299 + n filled with n, read back by PIO, "disk count n". A save and
	;    restore anywhere in between must lose nothing: at the end every
	;    sector is read again.
	mov word [round], 1
.round:
	mov al, [round]
	mov di, BUF_B
	mov cx, 512
	rep stosb
	movzx eax, word [round]
	add eax, 299
	mov bx, BUF_B
	mov cl, 0xca
	mov ch, 0x00
	call dma
	jc fail
	call check_round
	jc fail
	mov si, msg_count
	call puts16
	mov ax, [round]
	call putdec16
	mov si, crlf
	call puts16
	call delay
	inc word [round]
	cmp word [round], ROUNDS + 1
	jne .round
	mov word [round], 1
.verify:
	call check_round
	jc fail
	inc word [round]
	cmp word [round], ROUNDS + 1
	jne .verify
	mov si, msg_verify
	call puts16

	mov si, msg_done
	call puts16
	POWER_OFF_S5

; CF unless sector 299 + [round] reads back (PIO) as 512 bytes of [round].
check_round:
	movzx eax, word [round]
	add eax, 299
	mov di, BUF_A
	call pio_read
	jc .bad
	mov si, BUF_A
	mov cx, 512
	mov al, [round]
.c:
	cmp [si], al
	jne .bad
	inc si
	loop .c
	clc
	ret
.bad:
	stc
	ret

; 100 ms on the 24-bit ACPI PM timer at PMBA (config 0x40 of 00:01.3) + 8,
; spinning PM_SPIN times between reads (see rom.inc).
delay:
	PM_REG_TO_DX 8
	in eax, dx
	mov esi, eax
.w:
	mov eax, PM_SPIN
.spin:
	dec eax
	jnz .spin
	in eax, dx
	sub eax, esi
	and eax, 0xffffff
	cmp eax, 357954
	jb .w
	ret

; ax in decimal on COM1.
putdec16:
	xor cx, cx
	mov bx, 10
.div:
	xor dx, dx
	div bx
	push dx
	inc cx
	test ax, ax
	jnz .div
.out:
	pop ax
	add al, '0'
	call putc16
	loop .out
	ret

fail:
	mov si, msg_fail
	call puts16
	mov dx, IDE + 7
	in al, dx
	call puthex8
	mov si, crlf
	call puts16
	POWER_OFF_S5

; Wait for BSY clear; CF on ERR.
wait_ready:
	push ax
	push dx
	mov dx, IDE + 7
.w:
	in al, dx
	test al, 0x80
	jnz .w
	test al, 0x01
	pop dx
	pop ax
	jz .ok
	stc
	ret
.ok:
	clc
	ret

; LBA28, one sector, command al_cmd; eax = LBA, cl = command.
issue28:
	push eax
	call wait_ready
	pop eax
	push eax
	mov dx, IDE + 2
	push ax
	mov al, 1
	out dx, al
	pop ax
	mov dx, IDE + 3
	out dx, al
	shr eax, 8
	mov dx, IDE + 4
	out dx, al
	shr eax, 8
	mov dx, IDE + 5
	out dx, al
	shr eax, 8
	and al, 0x0f
	or al, 0xe0
	mov dx, IDE + 6
	out dx, al
	mov al, cl
	mov dx, IDE + 7
	out dx, al
	pop eax
	ret

; Wait for DRQ, then 256 words into es:di. CF on error.
pio_in_block:
	mov dx, IDE + 7
.w:
	in al, dx
	test al, 0x80
	jnz .w
	test al, 0x01
	jnz .err
	test al, 0x08
	jz .err
	mov dx, IDE
	mov cx, 256
	rep insw
	clc
	ret
.err:
	stc
	ret

pio_read: ; eax = LBA, es:di = buffer
	mov cl, 0x20
	call issue28
	jmp pio_in_block

pio_write: ; eax = LBA, ds:si = data
	mov cl, 0x30
	call issue28
	mov dx, IDE + 7
.w:
	in al, dx
	test al, 0x80
	jnz .w
	test al, 0x08
	jz .err
	mov dx, IDE
	mov cx, 256
	rep outsw
	call wait_ready
	ret
.err:
	stc
	ret

; One-sector DMA: eax = LBA, bx = buffer, cl = command, ch = bus-master direction bit.
; The PRD table is exactly one sector long, so the engine goes inactive at the end.
dma:
	push eax
	mov dword [PRD], 0
	mov [PRD], bx
	mov dword [PRD + 4], 0x80000200
	mov dx, [bm]
	xor al, al
	out dx, al          ; stopped
	add dx, 2
	mov al, 0x06
	out dx, al          ; clear INT and ERROR
	add dx, 2
	mov eax, PRD
	out dx, eax
	mov dx, [bm]
	mov al, ch
	out dx, al          ; direction
	pop eax
	call issue28
	mov dx, [bm]
	mov al, ch
	or al, 1
	out dx, al          ; start
	add dx, 2
.w:
	in al, dx           ; with nIEN set no INT latches: wait for ACTIVE to clear
	test al, 0x01
	jnz .w
	mov ah, al
	mov dx, [bm]
	mov al, ch
	out dx, al          ; stop
	test ah, 0x02
	jnz .err
	call wait_ready
	ret
.err:
	stc
	ret

; ds:si = 512 bytes; CF if not byte i = i * 3 + 0x11.
check_pattern100:
	xor cx, cx
.c:
	mov al, cl
	mov bl, 3
	mul bl
	add al, 0x11
	cmp al, [si]
	jne .bad
	inc si
	inc cx
	cmp cx, 512
	jne .c
	clc
	ret
.bad:
	stc
	ret

puthex8:
	push ax
	shr al, 4
	call .nib
	pop ax
	and al, 0x0f
.nib:
	and al, 0x0f
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 7
.out:
	jmp putc16

bm: dw 0
round: dw 0
msg_count: db "hvmdm disk guest: disk count ", 0
msg_verify: db "hvmdm disk guest: all 40 sectors read back after the rounds", 13, 10, 0
msg_boot: db "hvmdm disk guest: booted from the IDE disk", 13, 10, 0
msg_pio_read: db "hvmdm disk guest: PIO read of LBA 100 ok", 13, 10, 0
msg_dma_write: db "hvmdm disk guest: DMA write of LBA 200 read back by PIO ok", 13, 10, 0
msg_dma_read: db "hvmdm disk guest: PIO write of LBA 201 read back by DMA ok", 13, 10, 0
msg_lba48: db "hvmdm disk guest: LBA48 read ok", 13, 10, 0
msg_done: db "hvmdm disk guest: powering off", 13, 10, 0
msg_fail: db "hvmdm disk guest: FAILED, status ", 0
crlf: db 13, 10, 0

	times 512 + SECTORS * 512 - ($ - mbr) db 0

; ------------------------------------------------------------------ LBA 100
	times 100 * 512 - ($ - mbr) db 0
%assign i 0
%rep 512
	db (i * 3 + 0x11) & 0xff
%assign i i + 1
%endrep
	times 1024 * 1024 - ($ - mbr) db 0
