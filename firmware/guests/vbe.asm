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
;      with the LFB on, and draws a pattern through a flat 4 GiB segment
;      ("unreal" mode: the BIOS's interrupts keep working):
;      pixel (x, y) = red x & 0xff, green y & 0xff, blue (x ^ y) & 0xff;
;   4. says "vbe: drawn" on COM1 and waits for keys with interrupts on
;      (the BIOS's int 16h hlts; Xen takes a hlt with interrupts off for a
;      vCPU going down, and the domain powers off), the picture staying up;
;   5. for the display benchmark (vnc-tool bench): each "f" fills the
;      whole screen with a new colour, each "l" paints row 240 in one (then
;      "vbe: painted" on COM1); any other key just says "vbe: input". Colour k (k counts the keys from 1) is red
;      k * 0x1f, green k * 0x3d, blue k * 0x65, each & 0xff.
; Without the card it says "vbe: no stdvga" and idles.
; Built twice: an option ROM (vbe.rom, for KVM and hvmdm's fw_cfg), and with
; -DDISK a bootable 64 KiB disk (vbedisk.img) whose boot sector loads the
; rest -- the real-Xen tier's display guest, since the stock qemu-xen offers
; SeaBIOS no option ROMs under Xen.

%include "rom.inc"

bits 16
%ifdef DISK
org 0x7c00

MBR_LOAD init, image_end, "vbe guest: INT 13h read failed"
%else
org 0

ROM_HEADER
%endif

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
	mov ah, 0x01            ; no cursor: it blinks on each model's own clock
	mov cx, 0x2000
	int 0x10
	mov si, msg_text
	call puts16
	; A key, polled through the BIOS, with a timer tick (hlt) between polls.
%ifdef DISK
	mov cx, 1100            ; ~60 s of 18.2 Hz ticks (the real-Xen tier sends the key over VNC)
%else
	mov cx, 2               ; the ROM (KVM tests and tools, which send no key): on at once
%endif
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
	jmp idle
.found:
	lea eax, [ebx + 0x10]   ; BAR0
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and eax, 0xfffffff0
	mov ebp, eax            ; the framebuffer
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
	cli
	call unreal_fs
	mov edi, ebp
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
	mov [fs:edi], eax
	add edi, 4
	inc ecx
	cmp ecx, 640
	jb .pixel
	inc edx
	cmp edx, 480
	jb .row
	mov si, msg_drawn
	call puts16
	xor di, di              ; k: keys so far
bench:
	sti
	xor ah, ah              ; the next key (the BIOS waits with hlt)
	int 0x16
	inc di
	cmp al, 'f'
	je .fill
	cmp al, 'l'
	je .line
	mov si, msg_input
	call puts16
	jmp bench
.line:
	mov edx, ebp
	add edx, 240 * 640 * 4  ; row 240
	mov ecx, 640
	jmp .paint
.fill:
	mov edx, ebp
	mov ecx, 640 * 480
.paint:
	cli
	call unreal_fs          ; again: a BIOS handler may have reloaded fs
	call colour_k
.px:
	mov [fs:edx], eax
	add edx, 4
	dec ecx
	jnz .px
	mov si, msg_painted     ; after the pixels, so the latency is not the UART's
	call puts16
	jmp bench
idle:
	sti
	hlt
	jmp idle

; eax = colour k (k = di): red k * 0x1f, green k * 0x3d, blue k * 0x65, each & 0xff.
colour_k:
	movzx eax, di
	imul eax, eax, 0x1f
	and eax, 0xff
	shl eax, 16
	movzx ebx, di
	imul ebx, ebx, 0x3d
	and ebx, 0xff
	shl ebx, 8
	or eax, ebx
	movzx ebx, di
	imul ebx, ebx, 0x65
	and ebx, 0xff
	or eax, ebx
	ret

; DISPI register ax = cx.
dispi:
	mov dx, 0x1ce
	out dx, ax
	inc dx
	mov ax, cx
	out dx, ax
	ret

; fs: base 0, limit 4 GiB, back in real mode (a protected-mode load of a flat
; data selector leaves the limit in the segment cache). Interrupts off.
unreal_fs:
	xor eax, eax
	mov ax, cs
	shl eax, 4
	add eax, gdt
	push eax                ; the GDT's linear address
	push word gdt_end - gdt - 1
	mov bx, sp
	lgdt [ss:bx]
	add sp, 6
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp .pm
.pm:
	mov bx, 0x08
	mov fs, bx
	and al, 0xfe
	mov cr0, eax
	jmp .rm
.rm:
	xor bx, bx
	mov fs, bx
	ret

align 8
gdt:
	dq 0
	dq 0x00cf92000000ffff   ; flat 4 GiB data
gdt_end:

%ifndef DISK
COM1_ROUTINES_16
%endif

msg_screen: db "hvmdm display test: waiting for a key", 13, 10, 0
msg_text: db "vbe: text shown", 10, 0
msg_key: db "vbe: key", 10, 0
msg_nokey: db "vbe: no key", 10, 0
msg_nocard: db "vbe: no stdvga", 10, 0
msg_drawn: db "vbe: drawn", 10, 0
msg_painted: db "vbe: painted", 10, 0
msg_input: db "vbe: input", 10, 0

%ifdef DISK
	times 512 - (($ - $$) % 512) db 0
image_end:
	times 65536 - ($ - $$) db 0
%else
ROM_TRAILER
%endif
