package config

import (
	"sort"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// Catalog is the mapping engine's view of a generated client's registry (the operations'
// types; no connection needed). It adapts the two packages, which do not import each other:
// the engine stays transport-neutral.
func Catalog(c *soapreg.Client) mapping.Catalog { return registryCatalog{c} }

type registryCatalog struct{ c *soapreg.Client }

func (r registryCatalog) Operations() []string {
	names := make([]string, 0, len(r.c.Operations))
	for _, op := range r.c.Operations {
		names = append(names, op.Name)
	}
	sort.Strings(names)
	return names
}

func (r registryCatalog) Operation(name string) (mapping.OperationInfo, bool) {
	for _, op := range r.c.Operations {
		if op.Name == name {
			return mapping.OperationInfo{Name: op.Name, Request: op.Request, Response: op.Response}, true
		}
	}
	return mapping.OperationInfo{}, false
}
