; SPDX-License-Identifier: GPL-2.0-only
;
; A hostile guest: after SeaBIOS runs it (option ROM), it copies its loop to
; RAM at 0x20000 (so PAM changes cannot pull the code away) and does COUNT
; random accesses from a fixed xorshift32 seed, so a failure reproduces: any
; port 0-0xffff, byte/word/dword, read or write, random values; one access in
; eight is a random value into a random PAM register (config 0x59-0x5f of
; 00:00.0), and one in eight goes to memory at 0xa0000-0xdffff (the VGA hole,
; which exits, and the PAM window in whatever mode the PAM writes left).
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
	RUN_PAYLOAD_REAL

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
	shr edi, 16                ; bits 16-18: size and direction, 19-21: memory
	call .rand                 ; eax = value
	mov cx, di
	and cx, 0x38
	jz .memory
	cmp cx, 0x08
	jne .port
	; PAM: register 0x59 + (value >> 8) % 7 gets the low byte of the value
	push eax
	push dx
	movzx ecx, ah
	and cl, 7
	cmp cl, 7
	jne .pam_reg
	xor cl, cl
.pam_reg:
	add cl, 0x59
	mov eax, ecx
	and al, 0xfc
	or eax, 0x80000000
	mov dx, 0xcf8
	out dx, eax
	and cl, 3
	mov dx, 0xcfc
	add dl, cl
	pop cx                     ; the old dx, unused
	pop eax
	out dx, al
	jmp .done
.memory:
	; memory: segment 0xa000-0xd000 from bits 22-23, offset = the "port"
	push ds
	mov cx, di
	shr cx, 6
	and cx, 3
	shl cx, 12
	add cx, 0xa000
	mov ds, cx
	mov bp, dx
	test di, 4
	jnz .mread
	mov [ds:bp], al
	pop ds
	jmp .done
.mread:
	mov al, [ds:bp]
	pop ds
	jmp .done
.port:
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
