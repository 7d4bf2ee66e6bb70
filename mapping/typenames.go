package mapping

import (
	"reflect"
	"strings"
)

// Runtime clients (REST definitions, WSDLs read at start-up) build their types with
// reflect.StructOf, which gives unnamed structs: their Name() is "" and their String() spells
// out every field. These helpers keep problem messages short and readable for them.

// typeLabel names t for a message: its Go name, or, for an unnamed struct, the field path that
// led to it (or "the structure" at the root).
func typeLabel(t reflect.Type, pathSoFar string) string {
	if t.Name() != "" {
		return t.Name()
	}
	if pathSoFar != "" {
		return pathSoFar
	}
	return "the structure"
}

// shortenStructs replaces every spelled-out struct type ("struct { Id *int64 "json:…"; … }") in
// a message with "struct{…}".
func shortenStructs(msg string) string {
	const open = "struct {"
	var b strings.Builder
	for {
		i := strings.Index(msg, open)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		depth, j, quoted := 0, i+len(open)-1, false
		for ; j < len(msg); j++ {
			switch c := msg[j]; {
			case c == '\\' && quoted:
				j++
			case c == '"':
				quoted = !quoted
			case c == '{' && !quoted:
				depth++
			case c == '}' && !quoted:
				depth--
			}
			if depth == 0 {
				break
			}
		}
		b.WriteString("struct{…}")
		if j >= len(msg) {
			return b.String()
		}
		msg = msg[j+1:]
	}
}
