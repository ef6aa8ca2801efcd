; SPDX-License-Identifier: GPL-2.0-only
;
; A bootable ISO 9660 image with an El Torito no-emulation boot entry
; (80 KiB, 40 blocks of 2048 bytes): SeaBIOS finds it in hvmdm's CD-ROM drive
; (secondary master), reads the boot record volume descriptor at block 17,
; the catalog at block 19 and loads block 20 at 0x7c00. The program then talks
; ATAPI to the drive itself, by PIO with nIEN set:
;   - READ CAPACITY must say 40 blocks,
;   - READ(10) of block 30 must return the pattern the image carries there,
;   - PREVENT MEDIUM REMOVAL, then an eject (START STOP UNIT, LoEj) must fail;
;     ALLOW, eject again, and TEST UNIT READY must report NOT READY,
; prints each result on COM1 and powers off through PM1a_CNT.
; Layouts: ECMA-119 (volume descriptors), El Torito 1.0 (catalog entries).

%include "rom.inc"

bits 16

%define BLOCKS 40
%define ATAPI 0x170
%define ATAPI_CTL 0x376
%define BUF 0xc000

section iso start=0
iso:
	times 16 * 2048 db 0
; Block 16: primary volume descriptor (only what a reader checks first).
	db 1, "CD001", 1, 0
	times 8 db ' '
	db "HVMDM_TEST_CD"
	times 32 - 13 db ' '
	times 8 db 0
	dd BLOCKS                 ; volume space size, both byte orders
	dd BLOCKS << 24 & 0xff000000 | BLOCKS << 8 & 0xff0000
	times 17 * 2048 - ($ - iso) db 0
; Block 17: boot record volume descriptor.
	db 0, "CD001", 1
	db "EL TORITO SPECIFICATION"
	times 17 * 2048 + 0x47 - ($ - iso) db 0
	dd 19                     ; boot catalog block
	times 18 * 2048 - ($ - iso) db 0
; Block 18: volume descriptor set terminator.
	db 0xff, "CD001", 1
	times 19 * 2048 - ($ - iso) db 0
; Block 19: boot catalog: validation entry (words sum to 0), initial entry.
	db 1, 0, 0, 0
	times 24 db 0
	dw 0x55aa                 ; checksum: 0x0001 + 0x55aa + 0xaa55 = 0 (mod 2^16)
	db 0x55, 0xaa
	db 0x88, 0                ; bootable, no emulation
	dw 0                      ; load segment: default 0x7c0
	db 0, 0
	dw 4                      ; 4 virtual sectors = this 2 KiB block
	dd 20
	times 20 * 2048 - ($ - iso) db 0

; Block 20: the boot program, at 0000:7c00.
section boot follows=iso vstart=0x7c00
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7000
	mov si, msg_boot
	call puts16
	mov dx, ATAPI_CTL
	mov al, 0x02
	out dx, al

	; READ CAPACITY: last block 39, 2048-byte blocks.
	mov si, cdb_capacity
	call packet
	jc fail
	mov eax, [BUF]
	bswap eax
	cmp eax, BLOCKS - 1
	jne fail
	mov si, msg_capacity
	call puts16

	; READ(10) of block 30: byte i = i * 5 + 0x22.
	mov si, cdb_read
	call packet
	jc fail
	cmp word [got], 2048
	jne fail
	mov si, BUF
	xor cx, cx
.check:
	mov al, cl
	mov bl, 5
	mul bl
	add al, 0x22
	cmp al, [si]
	jne fail
	inc si
	inc cx
	cmp cx, 2048
	jne .check
	mov si, msg_read
	call puts16

	; Locked: an eject fails. Unlocked: it works and the drive is not ready.
	mov si, cdb_lock
	call packet
	jc fail
	mov si, cdb_eject
	call packet
	jnc fail
	mov si, cdb_unlock
	call packet
	jc fail
	mov si, cdb_eject
	call packet
	jc fail
	mov si, cdb_tur
	call packet
	jnc fail
	mov dx, ATAPI + 1
	in al, dx
	shr al, 4
	cmp al, 2                 ; sense key NOT READY
	jne fail
	mov si, msg_eject
	call puts16
	mov si, msg_done
	call puts16
	POWER_OFF_S5

fail:
	mov si, msg_fail
	call puts16
	POWER_OFF_S5

; Send the 12-byte packet at ds:si; read any data into BUF (length in [got]).
; CF = the command ended with ERR.
packet:
	mov word [got], 0
	mov dx, ATAPI + 7
.idle:
	in al, dx
	test al, 0x88
	jnz .idle
	mov dx, ATAPI + 6
	mov al, 0xa0
	out dx, al
	mov dx, ATAPI + 1
	xor al, al
	out dx, al                ; PIO
	mov dx, ATAPI + 4
	mov al, 0xfe
	out dx, al
	mov dx, ATAPI + 5
	mov al, 0xff
	out dx, al                ; byte count limit 0xfffe
	mov dx, ATAPI + 7
	mov al, 0xa0
	out dx, al
.cmd:
	in al, dx
	test al, 0x80
	jnz .cmd
	test al, 0x08
	jz .err
	mov dx, ATAPI
	mov cx, 6
	rep outsw
	mov di, BUF
.phase:
	mov dx, ATAPI + 7
.busy:
	in al, dx
	test al, 0x80
	jnz .busy
	test al, 0x01
	jnz .err
	test al, 0x08
	jz .ok
	mov dx, ATAPI + 4
	in al, dx
	mov cl, al
	inc dx
	in al, dx
	mov ch, al
	add [got], cx
	shr cx, 1
	mov dx, ATAPI
	rep insw
	jmp .phase
.ok:
	clc
	ret
.err:
	stc
	ret

COM1_ROUTINES_16

got: dw 0
cdb_capacity: db 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
cdb_read: db 0x28, 0, 0, 0, 0, 30, 0, 0, 1, 0, 0, 0
cdb_lock: db 0x1e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0
cdb_unlock: db 0x1e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
cdb_eject: db 0x1b, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0
cdb_tur: db 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
msg_boot: db "hvmdm CD guest: booted from the CD-ROM (El Torito)", 13, 10, 0
msg_capacity: db "hvmdm CD guest: READ CAPACITY says 40 blocks", 13, 10, 0
msg_read: db "hvmdm CD guest: READ(10) of block 30 ok", 13, 10, 0
msg_eject: db "hvmdm CD guest: locked tray held, eject then NOT READY", 13, 10, 0
msg_done: db "hvmdm CD guest: powering off", 13, 10, 0
msg_fail: db "hvmdm CD guest: FAILED", 13, 10, 0

	times 2048 - ($ - $$) db 0

; Blocks 21-39: zeros, but block 30 holds the pattern the guest reads.
section data follows=boot
	times (30 - 21) * 2048 db 0
%assign i 0
%rep 2048
	db (i * 5 + 0x22) & 0xff
%assign i i + 1
%endrep
	times (BLOCKS - 31) * 2048 db 0
