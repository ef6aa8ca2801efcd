; SPDX-License-Identifier: GPL-2.0-only
;
; A hostile guest: after SeaBIOS runs it (option ROM), it copies its loop to
; RAM at 0x20000 (so PAM changes cannot pull the code away) and does COUNT
; random port accesses -- any port 0-0xffff, byte/word/dword, read or write,
; random values -- from a fixed xorshift32 seed, so a failure reproduces.
; This reaches every device hvmdm has: PCI config (0xcf8/0xcfc, hence PAM,
; BARs, PIRQ routes, PMBA), fw_cfg and its DMA (random guest addresses), the
; RTC, the UART, i8042, the PM block wherever it moves, 0xcf9 (resets).
; Whatever the guest does to itself, hvmdm must not crash: the test accepts a
; power-off, a reset, a guest still running, or a clean error, never a
; sanitizer report or a signal. Prints "garbage: start" and "garbage: done".

%include "rom.inc"

bits 16
org 0

%define LOAD_SEG 0x2000
%ifndef COUNT
%define COUNT 300000
%endif

ROM_HEADER

init:
	cli
	push cs
	pop ds
	mov si, msg_start
	call puts16
	cld
	mov si, payload
	mov ax, LOAD_SEG
	mov es, ax
	xor di, di
	mov cx, payload_end - payload
	rep movsb
	push word LOAD_SEG
	push word 0
	retf

COM1_ROUTINES_16

msg_start: db "garbage: start", 13, 10, 0

; Runs at LOAD_SEG:0; only relative jumps and cs-relative data.
payload:
	mov ebx, 0x2545f491        ; xorshift32 state
	mov esi, COUNT
.next:
	call .rand
	mov dx, ax                 ; port
	mov edi, eax
	shr edi, 16                ; bits 16-18: size and direction
	call .rand                 ; eax = value
	test di, 4
	jnz .read
	test di, 1
	jnz .w2
	test di, 2
	jnz .w4
	out dx, al
	jmp .done
.w2:
	out dx, ax
	jmp .done
.w4:
	out dx, eax
	jmp .done
.read:
	test di, 1
	jnz .r2
	test di, 2
	jnz .r4
	in al, dx
	jmp .done
.r2:
	in ax, dx
	jmp .done
.r4:
	in eax, dx
.done:
	dec esi
	jnz .next
	; done: say so on COM1 (if the UART still works), then stop
	mov si, msg_done - payload
.puts:
	mov al, [cs:si]
	test al, al
	jz .halt
	mov dx, COM1
	out dx, al
	inc si
	jmp .puts
.halt:
	hlt
	jmp .halt

; ebx = xorshift32(ebx); eax = ebx
.rand:
	mov eax, ebx
	shl eax, 13
	xor ebx, eax
	mov eax, ebx
	shr eax, 17
	xor ebx, eax
	mov eax, ebx
	shl eax, 5
	xor ebx, eax
	mov eax, ebx
	ret

msg_done: db "garbage: done", 13, 10, 0
payload_end:

ROM_TRAILER
