package mapping

// PlainPath is one compiled expression that reads a plain access path (access.go), with its
// compile-time environment, for the test over the shipped mapping files.
type PlainPath struct {
	Src    string
	Env    map[string]any
	Direct func(env map[string]any) (any, bool)
	VM     func(env map[string]any) (any, error)
}

// PlainPaths compiles spec against cat and returns its plain access paths and the number of
// expressions compiled.
func PlainPaths(spec *Spec, cat Catalog) ([]PlainPath, int, error) {
	var out []PlainPath
	n := 0
	_, err := Compile(spec, cat, Options{onCompile: func(p *program, env map[string]any) {
		n++
		if p.direct != nil {
			out = append(out, PlainPath{Src: p.src, Env: env, Direct: p.direct.get, VM: p.runVM})
		}
	}})
	return out, n, err
}
