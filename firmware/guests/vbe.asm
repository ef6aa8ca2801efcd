; SPDX-License-Identifier: GPL-2.0-only
;
; The display test guest, an option ROM SeaBIOS runs after the VGA BIOS has
; set text mode. It:
;   1. writes a line on the screen through the VGA BIOS (int 10h teletype)
;      and "vbe: text shown" on COM1;
;   2. waits for a key (int 16h; sent over VNC by the test), at most about
;      60 s, and says "vbe: key" or "vbe: no key" on COM1;
;   3. finds the standard VGA (1234:1111) on bus 0, takes its BAR0 (the
;      linear framebuffer), sets 640x480x32 through the Bochs DISPI ports
;      with the LFB on, and in flat 32-bit protected mode draws a pattern:
;      pixel (x, y) = red x & 0xff, green y & 0xff, blue (x ^ y) & 0xff;
;   4. says "vbe: drawn" on COM1 and halts, the picture staying up.
; Without the card it says "vbe: no stdvga" and halts.

%define LOAD 0x20000        ; where the 32-bit part runs
%define A(x) (LOAD + (x) - payload)

%include "rom.inc"

bits 16
org 0

ROM_HEADER

init:
	push cs
	pop ds
	mov si, msg_screen
.tty:
	lodsb
	test al, al
	jz .shown
	mov ah, 0x0e            ; teletype, page 0
	xor bx, bx
	int 0x10
	jmp .tty
.shown:
	mov si, msg_text
	call puts16
	; A key, polled through the BIOS, with a timer tick (hlt) between polls.
	mov cx, 1100            ; ~60 s of 18.2 Hz ticks
.poll:
	mov ah, 0x01
	int 0x16
	jnz .key
	sti
	hlt
	loop .poll
	mov si, msg_nokey
	call puts16
	jmp .find
.key:
	xor ah, ah              ; take it out of the buffer
	int 0x16
	mov si, msg_key
	call puts16
.find:
	cli
	; Bus 0, slots 0-31, function 0: the first 1234:1111.
	mov ebx, 0x80000000
.slot:
	mov eax, ebx
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	cmp eax, 0x11111234
	je .found
	add ebx, 0x800
	cmp ebx, 0x80010000
	jb .slot
	mov si, msg_nocard
	call puts16
	jmp .stop
.found:
	lea eax, [ebx + 0x10]   ; BAR0
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and eax, 0xfffffff0
	mov ebx, eax
	mov ax, 1               ; XRES
	mov cx, 640
	call dispi
	mov ax, 2               ; YRES
	mov cx, 480
	call dispi
	mov ax, 3               ; BPP
	mov cx, 32
	call dispi
	mov ax, 4               ; ENABLE: enabled, linear framebuffer
	mov cx, 0x41
	call dispi
	; ebx (the framebuffer) survives the switch.
	ENTER_PM32_PAYLOAD
.stop:
	cli
	hlt
	jmp .stop

; DISPI register ax = cx.
dispi:
	mov dx, 0x1ce
	out dx, ax
	inc dx
	mov ax, cx
	out dx, ax
	ret

COM1_ROUTINES_16

msg_screen: db "hvmdm display test: waiting for a key", 13, 10, 0
msg_text: db "vbe: text shown", 10, 0
msg_key: db "vbe: key", 10, 0
msg_nokey: db "vbe: no key", 10, 0
msg_nocard: db "vbe: no stdvga", 10, 0

align 16
payload:

bits 32
pm32:
	FLAT_DATA_AND_STACK
	mov edi, ebx
	xor edx, edx            ; y
.row:
	xor ecx, ecx            ; x
.pixel:
	mov eax, ecx
	and eax, 0xff
	shl eax, 16             ; red: x
	mov esi, edx
	and esi, 0xff
	shl esi, 8              ; green: y
	or eax, esi
	mov esi, ecx
	xor esi, edx
	and esi, 0xff           ; blue: x ^ y
	or eax, esi
	mov [edi], eax
	add edi, 4
	inc ecx
	cmp ecx, 640
	jb .pixel
	inc edx
	cmp edx, 480
	jb .row
	mov esi, A(msg_drawn)
	call puts32
.halt:
	cli
	hlt
	jmp .halt

COM1_ROUTINES_32

msg_drawn: db "vbe: drawn", 10, 0

FLAT_GDT
payload_end:

ROM_TRAILER
