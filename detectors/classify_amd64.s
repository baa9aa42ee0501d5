#include "textflag.h"

// func classify64(p *byte) (letters, digits, trigs uint64)
//
// Bit k of each mask describes p[k], for k in [0, 64): an ASCII letter, an
// ASCII digit, a trigger byte (@ % + ( : =). SSE2 only, so it runs on every
// amd64 processor.
TEXT ·classify64(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI

	// Byte constants, broadcast to all 16 lanes.
	MOVQ $0x2020202020202020, AX
	MOVQ AX, X8
	PUNPCKLQDQ X8, X8 // 0x20: folds upper case onto lower case
	MOVQ $0x1f1f1f1f1f1f1f1f, AX
	MOVQ AX, X9
	PUNPCKLQDQ X9, X9 // 0x80-'a': moves 'a'..'z' to -128..-103
	MOVQ $0x9a9a9a9a9a9a9a9a, AX
	MOVQ AX, X10
	PUNPCKLQDQ X10, X10 // -102
	MOVQ $0x5050505050505050, AX
	MOVQ AX, X11
	PUNPCKLQDQ X11, X11 // 0x80-'0': moves '0'..'9' to -128..-119
	MOVQ $0x8a8a8a8a8a8a8a8a, AX
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12 // -118
	MOVQ $0x2525252525252525, AX
	MOVQ AX, X13
	PUNPCKLQDQ X13, X13 // '%'
	MOVQ $0x2828282828282828, AX
	MOVQ AX, X14
	PUNPCKLQDQ X14, X14 // '('
	MOVQ $0x2b2b2b2b2b2b2b2b, AX
	MOVQ AX, X15
	PUNPCKLQDQ X15, X15 // '+'
	MOVQ $0x3a3a3a3a3a3a3a3a, AX
	MOVQ AX, X6
	PUNPCKLQDQ X6, X6 // ':'
	MOVQ $0x3d3d3d3d3d3d3d3d, AX
	MOVQ AX, X7
	PUNPCKLQDQ X7, X7 // '='
	MOVQ $0x4040404040404040, AX
	MOVQ AX, X5
	PUNPCKLQDQ X5, X5 // '@'

	XORQ R8, R8  // letters
	XORQ R9, R9  // digits
	XORQ R10, R10 // trigs
	XORQ CX, CX  // shift: 0, 16, 32, 48

loop:
	MOVOU (SI), X0

	// Letters: (c|0x20) + 0x1f is below -102 (signed) exactly for letters.
	MOVO X0, X1
	POR X8, X1
	PADDB X9, X1
	MOVO X10, X2
	PCMPGTB X1, X2
	PMOVMSKB X2, AX
	SHLQ CX, AX
	ORQ AX, R8

	// Digits: c + 0x50 is below -118 (signed) exactly for digits.
	MOVO X0, X1
	PADDB X11, X1
	MOVO X12, X2
	PCMPGTB X1, X2
	PMOVMSKB X2, AX
	SHLQ CX, AX
	ORQ AX, R9

	// Triggers.
	MOVO X0, X1
	PCMPEQB X13, X1
	MOVO X0, X2
	PCMPEQB X14, X2
	POR X2, X1
	MOVO X0, X2
	PCMPEQB X15, X2
	POR X2, X1
	MOVO X0, X2
	PCMPEQB X6, X2
	POR X2, X1
	MOVO X0, X2
	PCMPEQB X7, X2
	POR X2, X1
	PCMPEQB X5, X0
	POR X0, X1
	PMOVMSKB X1, AX
	SHLQ CX, AX
	ORQ AX, R10

	ADDQ $16, SI
	ADDQ $16, CX
	CMPQ CX, $64
	JLT loop

	MOVQ R8, letters+8(FP)
	MOVQ R9, digits+16(FP)
	MOVQ R10, trigs+24(FP)
	RET
