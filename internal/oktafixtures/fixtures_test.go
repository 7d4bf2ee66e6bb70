package oktafixtures

import (
	"slices"
	"testing"
)

func TestEveryFileIsAnObjectAndInTheTesterOrder(t *testing.T) {
	names := Names()
	if len(names) != 12 {
		t.Fatalf("want the 12 tester data files, got %v", names)
	}
	order := TesterOrder()
	for _, n := range names {
		if _, err := Object(n); err != nil {
			t.Error(err)
		}
		if !slices.Contains(order, n) {
			t.Errorf("%s is missing from the tester order", n)
		}
	}
	if _, err := Bytes("nope.json"); err == nil {
		t.Error("an unknown name must be an error")
	}
}
