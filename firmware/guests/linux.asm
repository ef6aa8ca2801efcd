; SPDX-License-Identifier: GPL-2.0-only
;
; A stand-in "Linux kernel" for direct-boot tests (-kernel/-initrd/-append):
; a bzImage with a real boot-protocol 2.15 setup header (Linux
; Documentation/arch/x86/boot.rst) and setup code that checks what the loader
; (SeaBIOS running Debian's linuxboot_dma.bin, fed by hvmdm's fw_cfg) did:
; the header patches, the command line at cmd_line_ptr, the protected-mode
; part at 1 MiB and the initrd at ramdisk_image. It reports on COM1 and
; powers off through PM1a_CNT (S5). The initrd the tests pass is 4096 bytes
; starting "HVMDMRD!" (Makefile: linux-initrd.img).

%define LOAD 0x10000        ; where the loader puts the setup code (segment 0x1000)
%define A(x) (LOAD + (x) - payload)

%include "rom.inc"

bits 16
org 0
payload:
	times 0x1f1 db 0
	db 3                    ; 0x1f1 setup_sects: the setup is 4 sectors
	dw 0                    ; root_flags
	dd (kernel_end - kernel) / 16 ; syssize
	dw 0, 0xffff, 0         ; ram_size, vid_mode, root_dev
	dw 0xaa55               ; 0x1fe boot_flag
	jmp short start         ; 0x200
	db "HdrS"               ; 0x202
	dw 0x020f               ; 0x206 version 2.15
	dd 0                    ; realmode_swtch
	dw 0, 0                 ; start_sys_seg, kernel_version
	db 0                    ; 0x210 type_of_loader (the loader sets it)
	db 0x01                 ; 0x211 loadflags: LOADED_HIGH
	dw 0                    ; setup_move_size
	dd 0x100000             ; 0x214 code32_start
	dd 0, 0                 ; 0x218 ramdisk_image, 0x21c ramdisk_size
	dd 0                    ; bootsect_kludge
	dw 0                    ; 0x224 heap_end_ptr
	db 0, 0                 ; ext_loader_ver, ext_loader_type
	dd 0                    ; 0x228 cmd_line_ptr
	dd 0x7fffffff           ; 0x22c initrd_addr_max
	dd 0                    ; kernel_alignment
	db 0, 0                 ; relocatable_kernel, min_alignment
	dw 0                    ; xloadflags
	dd 2047                 ; 0x238 cmdline_size
	times 0x260 - ($ - $$) db 0

COM1_ROUTINES_16

start:
	; The loader jumps here with cs = 0x1020; run with cs = ds = 0x1000 (org 0).
	jmp 0x1000:start2
start2:
	cli
	mov ax, cs
	mov ds, ax
	mov ss, ax
	mov sp, 0xf000
	mov si, msg_hello
	call puts16
	mov si, msg_loader_bad
	cmp byte [0x210], 0xb0
	jne .loader
	test byte [0x211], 0x80 ; CAN_USE_HEAP
	jz .loader
	cmp word [0x224], 0xfe00
	jne .loader
	mov si, msg_loader
.loader:
	call puts16
	mov si, msg_cmdline
	call puts16
	mov eax, [0x228]        ; cmd_line_ptr, below 1 MiB: print it through a segment
	shr eax, 4
	push ds
	mov ds, ax
	xor si, si
	call puts16
	pop ds
	mov al, 10
	call putc16
	lgdt [gdtr]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:A(pm32)

bits 32
pm32:
	FLAT_DATA_AND_STACK
	mov esi, A(msg_kernel_bad)
	cmp dword [0x100000], "HVMD"
	jne .kernel
	cmp dword [0x100004], "MKRN"
	jne .kernel
	mov esi, A(msg_kernel)
.kernel:
	call puts32
	mov esi, A(msg_initrd_bad)
	mov ebx, [A(0x218)]     ; ramdisk_image
	test ebx, 0xfff
	jnz .initrd
	cmp ebx, 0x100000
	jb .initrd
	cmp dword [A(0x21c)], 4096
	jne .initrd
	cmp dword [ebx], "HVMD"
	jne .initrd
	cmp dword [ebx + 4], "MRD!"
	jne .initrd
	mov esi, A(msg_initrd)
.initrd:
	call puts32
	mov esi, A(msg_off)
	call puts32
	POWER_OFF_S5

COM1_ROUTINES_32

FLAT_GDT

msg_hello: db "hvmdm linux: setup code entered", 10, 0
msg_loader: db "hvmdm linux: header patched by the loader (0xb0, heap)", 10, 0
msg_loader_bad: db "hvmdm linux: BAD header patches", 10, 0
msg_cmdline: db "hvmdm linux: cmdline: ", 0
msg_kernel: db "hvmdm linux: protected-mode kernel at 1 MiB", 10, 0
msg_kernel_bad: db "hvmdm linux: BAD kernel at 1 MiB", 10, 0
msg_initrd: db "hvmdm linux: initrd at ramdisk_image, 4096 bytes", 10, 0
msg_initrd_bad: db "hvmdm linux: BAD initrd", 10, 0
msg_off: db "hvmdm linux: powering off", 10, 0

	times 2048 - ($ - $$) db 0
kernel:
	db "HVMDMKRN"
	times 4096 - ($ - kernel) db 0
kernel_end:
