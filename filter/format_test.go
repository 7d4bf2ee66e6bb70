package filter

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// randExpr builds a random tree of the shapes Parse produces (values in their canonical form,
// valid names), so that the round trip is checked on right-nested chains, or inside and, not
// around chains and value paths, which hand-written tables rarely cover.
func randExpr(r *rand.Rand, depth int, inValue bool) Expr {
	names := []string{"userName", "emails", "a", "not", "and", "or", "pr", "$ref", "x-y_2"}
	path := func() AttrPath {
		p := AttrPath{Name: names[r.IntN(len(names))]}
		if r.IntN(3) == 0 {
			p.Sub = "value"
		}
		if r.IntN(5) == 0 {
			p.URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
		}
		return p
	}
	values := []Value{
		str(""), str("x"), str("a\"b\\c\n\x01é😀"), num("-1.5e3"), num("0"),
		trueV, falseV, nullV,
	}
	ops := []Op{Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le}
	k := r.IntN(7)
	if depth == 0 {
		k = r.IntN(2)
	}
	switch k {
	case 0:
		return Compare{Path: path(), Op: ops[r.IntN(len(ops))], Value: values[r.IntN(len(values))]}
	case 1:
		return Present{Path: path()}
	case 2, 3:
		return And{Left: randExpr(r, depth-1, inValue), Right: randExpr(r, depth-1, inValue)}
	case 4, 5:
		return Or{Left: randExpr(r, depth-1, inValue), Right: randExpr(r, depth-1, inValue)}
	default:
		if inValue || r.IntN(2) == 0 {
			return Not{X: randExpr(r, depth-1, inValue)}
		}
		return ValuePath{Path: path(), Filter: randExpr(r, depth-1, true)}
	}
}

func TestStringRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		e := randExpr(r, 6, false)
		s := e.String()
		// Depth 6 of binary nodes opens at most 6 chain levels plus 6 groups.
		back, err := ParseWith(s, Limits{MaxLength: 1 << 20})
		if err != nil {
			t.Fatalf("Parse(%q): %v\ntree %#v", s, err, e)
		}
		if !reflect.DeepEqual(back, e) {
			t.Fatalf("Parse(%q) changed the tree\n got %#v\nwant %#v", s, back, e)
		}
	}
}
