; SPDX-License-Identifier: GPL-2.0-only
;
; The S3 test guest: it finds the ACPI tables the firmware built (RSDP in the
; BIOS area, RSDT, FADT, FACS), puts a real-mode resume routine at 0x7000 and
; its address in the FACS waking vector, sets an RTC alarm two seconds ahead
; with PM1_EN.RTC_EN, and enters S3 through PM1a_CNT (SLP_TYP 1). The device
; model must keep RAM, wake the machine on the alarm, and SeaBIOS's resume
; path must jump to the vector: the routine says so, checks WAK_STS/RTC_STS
; in PM1_STS, and powers off (S5).
;
; Built twice: an option ROM for KVM (s3.rom), and with -DDISK a bootable
; disk for the real-Xen tier (s3disk.img; the stock qemu-xen takes no option
; ROMs), whose MBR loads the rest with INT 13h. Under Xen the clock and
; PM1_STS are the hypervisor's and only `xl trigger s3resume` wakes a domain
; (hvm_s3_resume), so the disk sets no alarm and its resume routine reports
; what it finds without relying on WAK_STS.

%define LOAD 0x20000
%define A(x) (LOAD + (x) - payload)
%define RESUME 0x7000       ; the waking vector: CS 0x0700, IP 0
%define SAVE 0x7f00         ; PM1a_CNT port, kept for the resume routine

%include "rom.inc"

bits 16
%ifdef DISK
org 0x7c00

MBR_LOAD init, image_end, "s3 guest: INT 13h read failed"
%else
org 0

ROM_HEADER
%endif

init:
	push cs
	pop ds
	mov si, msg_start
	call puts16
	ENTER_PM32_PAYLOAD

%ifndef DISK
COM1_ROUTINES_16
%endif

msg_start: db "s3 guest: start", 13, 10, 0

align 16
payload:

bits 32
pm32:
	FLAT_DATA_AND_STACK
	cld
	mov esi, A(resume)
	mov edi, RESUME
	mov ecx, resume_end - resume
	rep movsb
	; The RSDP: "RSD PTR " on a 16-byte boundary in 0xe0000-0xfffff.
	mov esi, 0xe0000
.scan:
	cmp dword [esi], 'RSD '
	jne .next
	cmp dword [esi + 4], 'PTR '
	je .rsdp
.next:
	add esi, 16
	cmp esi, 0x100000
	jb .scan
	mov esi, A(msg_nortables)
	jmp fail
.rsdp:
	mov ebx, [esi + 16]        ; RSDT
	mov ecx, [ebx + 4]
	sub ecx, 36
	shr ecx, 2
	lea edi, [ebx + 36]
.entry:
	mov eax, [edi]
	cmp dword [eax], 'FACP'
	je .fadt
	add edi, 4
	loop .entry
	mov esi, A(msg_nortables)
	jmp fail
.fadt:
	mov ebp, eax
	mov eax, [ebp + 36]        ; FIRMWARE_CTRL: the FACS
	mov dword [eax + 12], RESUME ; firmware_waking_vector
	mov eax, [ebp + 64]        ; PM1a_CNT_BLK
	mov [SAVE], eax
	mov eax, [ebp + 56]        ; PM1a_EVT_BLK
	mov [SAVE + 4], eax
%ifndef DISK
	; RTC alarm: now + 2 s (BCD unless register B says binary); any minute and hour.
	mov al, 0x0b
	out 0x70, al
	in al, 0x71
	mov bl, al                 ; register B
	xor al, al
	out 0x70, al
	in al, 0x71                ; seconds
	test bl, 0x04
	jnz .binary
	mov cl, al
	shr cl, 4
	and al, 0x0f
	mov ch, al
	mov al, cl
	mov ah, 10
	mul ah
	add al, ch
.binary:
	add al, 2
	cmp al, 60
	jb .in_minute
	sub al, 60
.in_minute:
	test bl, 0x04
	jnz .set_alarm
	xor ah, ah
	mov cl, 10
	div cl                     ; al = tens, ah = ones
	shl al, 4
	or al, ah
.set_alarm:
	mov cl, al
	mov al, 0x01
	out 0x70, al
	mov al, cl
	out 0x71, al
	mov al, 0x03
	out 0x70, al
	mov al, 0xc0               ; any minute
	out 0x71, al
	mov al, 0x05
	out 0x70, al
	mov al, 0xc0               ; any hour
	out 0x71, al
	mov al, 0x0b
	out 0x70, al
	mov al, bl
	or al, 0x20                ; AIE
	out 0x71, al
	mov al, 0x0c
	out 0x70, al
	in al, 0x71                ; clear pending flags
	; PM1_STS: clear WAK/RTC status; PM1_EN: RTC_EN.
	mov edx, [SAVE + 4]
	mov ax, 0x8400
	out dx, ax
	add edx, 2
	in ax, dx
	or ax, 0x0400
	out dx, ax
%endif
	mov esi, A(msg_suspend)
	call puts32
	; S3: SLP_TYP 1 with SLP_EN.
	mov edx, [SAVE]
	in ax, dx
	and ax, ~0x3c00
	or ax, 0x2400
	out dx, ax
	; Still here: the device model did not suspend.
	mov esi, A(msg_nosuspend)
fail:
	call puts32
.halt:
	cli
	hlt
	jmp .halt

COM1_ROUTINES_32

; ---- the resume routine: real mode at 0x0700:0000, copied to RESUME ----
bits 16
resume:
	cli
	push cs
	pop ds
	xor ax, ax
	mov es, ax
	mov si, r_msg_resumed - resume
	call r_puts
	; The wake-up reset put the PIIX4 PM block back to its power-on state:
	; map it again at the base the FADT named (PMBA = PM1a_CNT - 4, enable).
	mov ecx, [es:SAVE]
	mov eax, 0x80000b40
	mov dx, 0xcf8
	out dx, eax
	mov eax, ecx
	sub eax, 4
	or eax, 1
	mov dx, 0xcfc
	out dx, eax
	mov eax, 0x80000b80
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in al, dx
	or al, 1
	out dx, al
	mov dx, cx
	sub dx, 4                  ; PM1_STS
	in ax, dx
	mov bx, ax
	test bx, 0x8000
	jz .no_wak
	mov si, r_msg_wak - resume
	call r_puts
.no_wak:
	test bx, 0x0400
	jz .no_rtc
	mov si, r_msg_rtc - resume
	call r_puts
.no_rtc:
	mov dx, cx
	mov ax, 0x2000             ; S5
	out dx, ax
.halt:
	cli
	hlt
	jmp .halt

r_putc:
	push dx
	push ax
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jz .wait
	pop ax
	mov dx, COM1
	out dx, al
	pop dx
	ret

r_puts:
	push ax
.next:
	lodsb
	test al, al
	jz .done
	call r_putc
	jmp .next
.done:
	pop ax
	ret

r_msg_resumed: db "s3 guest: resumed from S3", 13, 10, 0
r_msg_wak:     db "s3 guest: WAK_STS set", 13, 10, 0
r_msg_rtc:     db "s3 guest: woken by the RTC alarm", 13, 10, 0
resume_end:

bits 32
FLAT_GDT

msg_suspend:   db "s3 guest: suspending to RAM", 13, 10, 0
msg_nosuspend: db "s3 guest: still running after SLP_EN", 13, 10, 0
msg_nortables: db "s3 guest: no ACPI tables found", 13, 10, 0
payload_end:

%ifdef DISK
	times 512 - (($ - $$) % 512) db 0
image_end:
	times 65536 - ($ - $$) db 0
%else
ROM_TRAILER
%endif
