; SPDX-License-Identifier: GPL-2.0-only
;
; The live-migration guest: a bootable disk (MBR + program + data sectors)
; for the real-Xen tier's `xl migrate`. In 32-bit protected mode it runs
; ROUNDS rounds, one per 100 ms of PM-timer time; round n reads one data
; sector by READ DMA into its own page at DMA_BUF + n * 4 KiB and another by
; PIO (`rep insw`, which Xen hands the device model as a string ioreq) into
; its own page at PIO_BUF + n * 4 KiB; every tenth round prints "migrate round n". The
; guest never writes those pages itself: only the device model does, through
; foreign mappings that Xen's log-dirty does not see. At the end every page
; is compared with the sector it was read from and the guest powers off
; (S5). A live migration in the middle copies the pages the rounds have not
; filled yet while they still hold zeros; unless the device model reports
; each page it writes (xendevicemodel_modified_memory, while libxl has
; xen-set-global-dirty-log on) they are not sent again and the check fails.
;
; Data sector s (LBA DATA_LBA ... DATA_LBA + NSECT - 1) holds the dwords
; (s << 16) | i, i = 0-127: never zero.

%define LOAD 0x20000
%define A(x) (LOAD + (x) - payload)
%define TICKS 357954        ; 100 ms of the 3.579545 MHz PM timer
%define ROUNDS 250
%define NSECT 32
%define IDE 0x1f0
%define IDE_CTL 0x3f6
%define PRD 0x10000
%define DMA_BUF 0x200000
%define PIO_BUF 0x400000

%include "rom.inc"

; eax = the data sector of round ebx (+%1, so DMA and PIO read different ones). Clobbers ecx, edx.
%macro SECTOR_OF_ROUND 1
	lea eax, [ebx + %1]
	xor edx, edx
	mov ecx, NSECT
	div ecx
	lea eax, [edx + DATA_LBA]
%endmacro

; %1 = %2 + round ebx * 4 KiB: the round's own page.
%macro PAGE_OF_ROUND 2
	mov %1, ebx
	shl %1, 12
	add %1, %2
%endmacro

bits 16
org 0x7c00

MBR_LOAD init, program_end, "migrate guest: INT 13h read failed"

; ------------------------------------------------------------------ sector 1
init:
	push cs
	pop ds
	mov si, msg_start
	call puts16
	ENTER_PM32_PAYLOAD

msg_start: db "migrate guest: start", 13, 10, 0

align 16
payload:

bits 32
pm32:
	FLAT_DATA_AND_STACK
	cld
	; The bus master: BAR4 of 00:01.1; I/O and bus mastering on.
	mov eax, 0x80000920
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and eax, 0xfffc
	mov [A(bm)], eax
	mov eax, 0x80000904
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in ax, dx
	or ax, 0x0005
	out dx, ax
	mov dx, IDE_CTL
	mov al, 0x02               ; nIEN: the guest polls
	out dx, al

	xor ebx, ebx               ; the round
.round:
	SECTOR_OF_ROUND 0
	PAGE_OF_ROUND edi, DMA_BUF
	call dma_read
	jc .io_error
	SECTOR_OF_ROUND 7
	PAGE_OF_ROUND edi, PIO_BUF
	call pio_read
	jc .io_error
	; Every tenth round says so (each character is two exits: few, under Xen-on-TCG).
	mov eax, ebx
	xor edx, edx
	mov ecx, 10
	div ecx
	test edx, edx
	jnz .quiet
	mov esi, A(msg_round)
	call puts32
	mov eax, ebx
	call putdec32
	call crlf32
.quiet:
	call delay
	inc ebx
	cmp ebx, ROUNDS
	jne .round

	; Every page as the device model wrote it?
	xor ebx, ebx
.check:
	SECTOR_OF_ROUND 0
	PAGE_OF_ROUND esi, DMA_BUF
	call check_sector
	jc .bad_dma
	SECTOR_OF_ROUND 7
	PAGE_OF_ROUND esi, PIO_BUF
	call check_sector
	jc .bad_pio
	inc ebx
	cmp ebx, ROUNDS
	jne .check
	mov esi, A(msg_intact)
	call puts32
	jmp .off
.bad_dma:
	mov esi, A(msg_bad_dma)
	jmp .bad
.bad_pio:
	mov esi, A(msg_bad_pio)
.bad:
	call puts32
	mov eax, ebx
	call putdec32
	call crlf32
	jmp .off
.io_error:
	mov esi, A(msg_io)
	call puts32
	mov eax, ebx
	call putdec32
	call crlf32
.off:
	PM1A_CNT_TO_DX
	mov ax, 0x2000             ; S5
	out dx, ax
.halt:
	cli
	hlt
	jmp .halt

; esi = 512 bytes read from LBA eax: CF unless every dword i is (eax << 16) | i.
check_sector:
	push ecx
	shl eax, 16
	xor ecx, ecx
.next:
	cmp [esi + ecx * 4], eax
	jne .bad
	inc eax
	inc ecx
	cmp ecx, 128
	jne .next
	pop ecx
	clc
	ret
.bad:
	pop ecx
	stc
	ret

; Wait for BSY clear; CF if ERR. Clobbers al, dx.
wait_ready:
	mov dx, IDE + 7
.w:
	in al, dx
	test al, 0x80
	jnz .w
	test al, 0x01
	jnz .err
	clc
	ret
.err:
	stc
	ret

; LBA28, one sector: eax = LBA, cl = command. Clobbers eax, dx.
issue28:
	push eax
	call wait_ready
	pop eax
	push eax
	mov dx, IDE + 2
	mov al, 1
	out dx, al
	pop eax
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
	ret

; READ SECTORS of LBA eax into edi by `rep insw`. CF on error. Clobbers eax, ecx, edx, edi.
pio_read:
	mov cl, 0x20
	call issue28
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
	mov ecx, 256
	rep insw
	clc
	ret
.err:
	stc
	ret

; READ DMA of LBA eax into edi, one PRD entry of 512 bytes (EOT). CF on error.
; Clobbers eax, ecx, edx.
dma_read:
	mov [PRD], edi
	mov dword [PRD + 4], 0x80000200
	push eax
	mov edx, [A(bm)]
	xor al, al
	out dx, al                 ; stopped
	add dx, 2
	mov al, 0x06
	out dx, al                 ; clear INT and ERROR
	add dx, 2
	mov eax, PRD
	out dx, eax
	mov edx, [A(bm)]
	mov al, 0x08
	out dx, al                 ; device to memory
	pop eax
	mov cl, 0xc8
	call issue28
	mov edx, [A(bm)]
	mov al, 0x09
	out dx, al                 ; start
	add dx, 2
.w:
	in al, dx                  ; nIEN: wait for ACTIVE to clear
	test al, 0x01
	jnz .w
	mov ah, al
	mov edx, [A(bm)]
	mov al, 0x08
	out dx, al                 ; stop
	test ah, 0x02
	jnz .err
	jmp wait_ready
.err:
	stc
	ret

; 100 ms on the PM timer (PMBA + 8), spinning between reads. Clobbers eax, edx, esi.
delay:
	PM_REG_TO_DX 8
	in eax, dx
	mov esi, eax
.wait:
	mov eax, PM_SPIN
.spin:
	dec eax
	jnz .spin
	in eax, dx
	sub eax, esi
	and eax, 0xffffff
	cmp eax, TICKS
	jb .wait
	ret

; eax in decimal on COM1. Clobbers eax, ecx, edx.
putdec32:
	push ebx
	mov ebx, 10
	xor ecx, ecx
.div:
	xor edx, edx
	div ebx
	push edx
	inc ecx
	test eax, eax
	jnz .div
.out:
	pop eax
	add al, '0'
	call putc32
	loop .out
	pop ebx
	ret

crlf32:
	mov al, 13
	call putc32
	mov al, 10
	jmp putc32

COM1_ROUTINES_32

bm: dd 0
FLAT_GDT

msg_round:   db "migrate round ", 0
msg_intact:  db "migrate guest: all DMA and PIO pages intact", 13, 10, 0
msg_bad_dma: db "migrate guest: DMA page differs from its sector, round ", 0
msg_bad_pio: db "migrate guest: PIO page differs from its sector, round ", 0
msg_io:      db "migrate guest: disk error in round ", 0
payload_end:

	times 512 - (($ - $$) % 512) db 0
program_end:

; ------------------------------------------------------------------ data
DATA_LBA equ ($ - $$) / 512
%assign s 0
%rep NSECT
%assign i 0
%rep 128
	dd ((DATA_LBA + s) << 16) | i
%assign i i + 1
%endrep
%assign s s + 1
%endrep
