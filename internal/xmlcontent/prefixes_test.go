package xmlcontent

import "testing"

func TestCheckPrefixes(t *testing.T) {
	for s, ok := range map[string]bool{
		`<a><b c="1">x</b></a>`:                           true,
		`<a xmlns:s="urn:s"><s:b s:c="1"/></a>`:           true,
		`<a xml:lang="en"/>`:                              true,
		`<r xmlns=''><s:t A:0=''></s:t></r>`:              false, // FuzzXPath's finding
		`<a><s:b/></a>`:                                   false,
		`<a><b s:c="1"/></a>`:                             false,
		`<a><b xmlns:s="urn:s"/><s:c/></a>`:               false, // the declaration's scope has ended
		`<a xmlns:s="urn:s"><b><s:c><s:d/></s:c></b></a>`: true,
	} {
		if err := CheckPrefixes(s); (err == nil) != ok {
			t.Errorf("CheckPrefixes(%s) = %v, want ok %v", s, err, ok)
		}
	}
}
