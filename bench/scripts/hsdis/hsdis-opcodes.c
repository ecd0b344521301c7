/*
 * A HotSpot disassembler plugin on binutils' libopcodes, so that -XX:CompileCommand=print shows the instructions C2
 * made of a method (Temurin ships without one). bench/scripts/print_c2_code.sh builds and uses it. HotSpot calls
 * decode_instructions_virtual for each range of code: every instruction is printed through HotSpot's printf
 * callback, between the "insn" and "/insn" events that let HotSpot interleave its own annotations.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <dis-asm.h>

typedef void* (*event_fn)(void*, const char*, void*);
typedef int (*printf_fn)(void*, const char*, ...);

static printf_fn out_fn;
static void* out_stream;

/* libopcodes prints each instruction in pieces, plain or styled; both go to HotSpot's printf callback. */
static int print_pieces(const char* fmt, va_list ap) {
    char buf[256];
    vsnprintf(buf, sizeof buf, fmt, ap);
    return out_fn(out_stream, "%s", buf);
}

static int plain(void* stream, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = print_pieces(fmt, ap);
    va_end(ap);
    return n;
}

static int styled(void* stream, enum disassembler_style style, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = print_pieces(fmt, ap);
    va_end(ap);
    return n;
}

static void address(bfd_vma addr, struct disassemble_info* info) {
    out_fn(out_stream, "0x%lx", (unsigned long) addr);
}

void* decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char* buffer, uintptr_t length,
                                  event_fn event_callback, void* event_stream, printf_fn printf_callback,
                                  void* printf_stream, const char* options, int newline) {
    struct disassemble_info info;
    out_fn = printf_callback;
    out_stream = printf_stream;
    init_disassemble_info(&info, NULL, (fprintf_ftype) plain, (fprintf_styled_ftype) styled);
    info.arch = bfd_arch_i386;
    info.mach = bfd_mach_x86_64_intel_syntax;
    info.buffer = buffer;
    info.buffer_vma = start_va;
    info.buffer_length = length;
    info.print_address_func = address;
    disassemble_init_for_target(&info);
    disassembler_ftype decode = disassembler(bfd_arch_i386, 0, bfd_mach_x86_64_intel_syntax, NULL);
    for (uintptr_t pc = start_va; pc < end_va; ) {
        if (event_callback) event_callback(event_stream, "insn", (void*) pc);
        int size = decode(pc, &info);
        if (size <= 0) break;
        if (event_callback) event_callback(event_stream, "/insn", (void*) (pc + size));
        if (newline) printf_callback(printf_stream, "\n");
        pc += size;
    }
    return NULL;
}
