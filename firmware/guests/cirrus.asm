; SPDX-License-Identifier: GPL-2.0-only
;
; The Cirrus CL-GD5446 display test guest (libxl's default card: an xl config
; with no vga= line gets `-device cirrus-vga,vgamem_mb=8`). Unlike vbe.asm it
; never touches the Bochs DISPI ports (the Cirrus has none): it goes through
; the VGA BIOS's VBE interface, as an OS's generic VESA driver would. It:
;   1. writes a line on the screen through the VGA BIOS (int 10h teletype)
;      and "cirrus: text shown" on COM1;
;   2. waits for a key (int 16h; sent over VNC by the test), at most about
;      60 s, and says "cirrus: key" or "cirrus: no key" on COM1;
;   3. asks the VGA BIOS for its controller information (int 10h 4F00: the
;      'VESA' signature, and mode 0x111, 640x480 with 16-bit 5:6:5 pixels, in
;      its mode list), for mode 0x111's information (4F01: 16 bits per pixel,
;      a linear framebuffer, PhysBasePtr, BytesPerScanLine), and sets it with
;      the linear framebuffer and a cleared screen (4F02 BX=0x4111);
;   4. draws a pattern over the whole 640x480 screen at PhysBasePtr, rows
;      BytesPerScanLine apart, through a flat 4 GiB segment ("unreal" mode,
;      as vbe.asm: the BIOS's interrupts keep working), two pixels a dword:
;      pixel (x, y) = red (x >> 5) & 0x1f, green (y >> 3) & 0x3f,
;      blue (x ^ y) & 0x1f, i.e. the RGB565 word
;      ((x >> 5) << 11) | ((y >> 3) << 5) | ((x ^ y) & 0x1f)
;      (tests/tools/ppm-check's cirrus-pattern);
;   5. says "cirrus: drawn" on COM1 and waits for keys with interrupts on (the
;      BIOS's int 16h hlts), saying "cirrus: input" for each, the picture
;      staying up.
; A VBE call that fails says "cirrus: FAILED <call> ax=XXXX" (and what was
; wrong) on COM1 and the guest idles.
;
; The facts it relies on are SeaBIOS's Cirrus VGA BIOS (vgasrc/clext.c,
; vgasrc/vbe.c; the vgabios-cirrus.bin QEMU loads): cirrus_vesa_modelist maps
; VBE mode 0x111 to the Cirrus mode 0x64, MM_DIRECT 640x480 depth 16 with the
; hidden DAC at 0xe1 (5:6:5; 0xf0 would be 5:5:5, mode 0x110/0x66);
; clext_list_modes puts those VBE numbers first in 4F00's list (which lives in
; the info block's reserved area, so the block must be 512 bytes);
; vbe_104f01 gives PhysBasePtr = the card's BAR0 (read in clext_init) and
; BytesPerScanLine = width * 2 = 1280; vbe_104f02 takes bx & 0x1ff as the
; mode and 0x4000 (linear) / 0x8000 (no clear) as flags.
;
; Built twice, as vbe.asm: an option ROM (cirrus.rom, for KVM and hvmdm's
; fw_cfg), and with -DDISK a bootable 64 KiB disk (cirrusdisk.img) whose boot
; sector loads the rest -- the real-Xen tier's Cirrus guest, since the stock
; qemu-xen offers SeaBIOS no option ROMs under Xen.

%include "rom.inc"

%define MODE 0x111              ; VBE 640x480, 16 bpp (5:6:5)
%define WIDTH 640
%define HEIGHT 480
; The buffers, on the stack (ss:bp): the 4F00 controller information block
; (512 bytes: VBE 2.0's size, SeaBIOS fills the mode list into its reserved
; part) and the 4F01 mode information block (256 bytes).
%define INFO 0
%define MODEINFO 0x200
%define BUFS 0x300

bits 16
%ifdef DISK
org 0x7c00

MBR_LOAD init, image_end, "cirrus guest: INT 13h read failed"
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
	jmp vesa
.key:
	xor ah, ah              ; take it out of the buffer
	int 0x16
	mov si, msg_key
	call puts16

vesa:
	sub sp, BUFS
	mov bp, sp              ; [bp + ...] addresses ss
	push ss
	pop es
	; 4F00: the controller information. "VBE2" asks for the 2.0 block.
	lea di, [bp + INFO]
	mov dword [bp + INFO], 'VBE2'
	mov ax, 0x4f00
	int 0x10
	mov si, msg_fail_4f00
	cmp ax, 0x004f
	jne fail
	cmp dword [bp + INFO], 'VESA'
	mov si, msg_fail_sig
	jne fail
	; VideoModePtr (offset 0x0e, offset:segment): words up to 0xffff.
	push ds
	lds si, [bp + INFO + 0x0e]
.mode:
	lodsw
	cmp ax, MODE
	je .listed
	cmp ax, 0xffff
	jne .mode
	pop ds
	mov ax, 0x004f
	mov si, msg_fail_list
	jmp fail
.listed:
	pop ds
	; 4F01: mode 0x111's information.
	push ss
	pop es
	lea di, [bp + MODEINFO]
	mov cx, MODE
	mov ax, 0x4f01
	int 0x10
	mov si, msg_fail_4f01
	cmp ax, 0x004f
	jne fail
	mov si, msg_fail_info
	test word [bp + MODEINFO + 0x00], 0x80  ; ModeAttributes: linear framebuffer
	jz fail
	cmp word [bp + MODEINFO + 0x12], WIDTH  ; XResolution
	jne fail
	cmp word [bp + MODEINFO + 0x14], HEIGHT ; YResolution
	jne fail
	cmp byte [bp + MODEINFO + 0x19], 16     ; BitsPerPixel
	jne fail
	cmp byte [bp + MODEINFO + 0x21], 6      ; GreenMaskSize: 5:6:5
	jne fail
	movzx ebx, word [bp + MODEINFO + 0x10]  ; BytesPerScanLine
	cmp ebx, WIDTH * 2
	jb fail
	mov edi, [bp + MODEINFO + 0x28]         ; PhysBasePtr
	test edi, edi
	jz fail
	; 4F02: set it, linear framebuffer (bit 14), screen cleared (bit 15 clear).
	push ebx
	push edi
	mov bx, 0x4000 | MODE
	mov ax, 0x4f02
	int 0x10
	pop edi
	pop ebx
	mov si, msg_fail_4f02
	cmp ax, 0x004f
	jne fail
	add sp, BUFS

	; The pattern: edi = the row's first pixel, ebx = the pitch,
	; edx = y, ecx = x, esi = the pixel pair's address.
	cli
	call unreal_fs
	xor edx, edx
.row:
	mov esi, edi
	xor ecx, ecx
.pair:
	inc ecx
	call pixel              ; high word: p(x + 1, y)
	shl eax, 16
	dec ecx
	call pixel              ; low word: p(x, y), at the lower address
	mov [fs:esi], eax
	add esi, 4
	add ecx, 2
	cmp ecx, WIDTH
	jb .pair
	add edi, ebx
	inc edx
	cmp edx, HEIGHT
	jb .row
	mov si, msg_drawn
	call puts16
keys:
	sti
	xor ah, ah              ; the next key (the BIOS waits with hlt)
	int 0x16
	mov si, msg_input
	call puts16
	jmp keys

; si: what failed, ax: the call's result (or 004f when the call succeeded but
; what it returned will not do): "cirrus: FAILED <si> ax=XXXX", then idle.
fail:
	push si
	mov si, msg_failed
	call puts16
	pop si
	call puts16
	mov si, msg_ax
	call puts16
	mov cx, 4
.digit:
	rol ax, 4
	push ax
	and al, 0x0f
	add al, '0'
	cmp al, '9'
	jbe .put
	add al, 'a' - '0' - 10
.put:
	call putc16
	pop ax
	loop .digit
	mov al, 10
	call putc16
idle:
	sti
	hlt
	jmp idle

; ax = the RGB565 pixel (x, y) = (ecx, edx): red x >> 5, green y >> 3, blue
; (x ^ y) & 0x1f. Writes ax only (the high word of eax stays).
pixel:
	push ecx
	push edx
	mov ax, cx
	xor ax, dx
	and ax, 0x1f            ; blue
	shr cx, 5
	shl cx, 11              ; red
	or ax, cx
	shr dx, 3
	and dx, 0x3f
	shl dx, 5               ; green
	or ax, dx
	pop edx
	pop ecx
	ret

; fs: base 0, limit 4 GiB, back in real mode (a protected-mode load of a flat
; data selector leaves the limit in the segment cache). Interrupts off.
unreal_fs:
	push eax
	push ebx
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
	pop ebx
	pop eax
	ret

align 8
gdt:
	dq 0
	dq 0x00cf92000000ffff   ; flat 4 GiB data
gdt_end:

%ifndef DISK
COM1_ROUTINES_16
%endif

msg_screen: db "hvmdm Cirrus test: waiting for a key", 13, 10, 0
msg_text: db "cirrus: text shown", 10, 0
msg_key: db "cirrus: key", 10, 0
msg_nokey: db "cirrus: no key", 10, 0
msg_drawn: db "cirrus: drawn", 10, 0
msg_input: db "cirrus: input", 10, 0
msg_failed: db "cirrus: FAILED ", 0
msg_ax: db " ax=", 0
msg_fail_4f00: db "4F00 (get controller information)", 0
msg_fail_sig: db "4F00 (no 'VESA' signature)", 0
msg_fail_list: db "4F00 (mode 0x111 not in the mode list)", 0
msg_fail_4f01: db "4F01 (get mode 0x111 information)", 0
msg_fail_info: db "4F01 (mode 0x111 is not 640x480x16 with a linear framebuffer)", 0
msg_fail_4f02: db "4F02 (set mode 0x4111)", 0

%ifdef DISK
	times 512 - (($ - $$) % 512) db 0
image_end:
	times 65536 - ($ - $$) db 0
%else
ROM_TRAILER
%endif
