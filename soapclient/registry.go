package soapclient

import (
	"fmt"
	"slices"

	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// OperationInfo describes one operation of a generated client (name, request and response
// structs, SOAPAction); it is the type the generated registries are made of.
type OperationInfo = soapreg.OperationInfo

// registry is the catalog of one generated client, indexed for Invoke and Lookup. It is built
// from the registry.go that scimbridge gen writes next to the client, so nothing is discovered by
// reflection at run time and void operations are called like any other.
type registry struct {
	ops   map[string]soapreg.Operation
	names []string // sorted
}

// newRegistry indexes a generated registry and checks it is usable: operations named, unique and
// typed. A failure means a generated file was edited or is stale; regenerating fixes it.
func newRegistry(c *soapreg.Client) (*registry, error) {
	if c == nil || len(c.Operations) == 0 {
		return nil, fmt.Errorf("soapclient: the generated registry has no operations; regenerate the client (go generate ./wsdl/)")
	}
	r := &registry{ops: make(map[string]soapreg.Operation, len(c.Operations))}
	for _, op := range c.Operations {
		if op.Name == "" || op.Request == nil || op.Response == nil {
			return nil, fmt.Errorf("soapclient: registry of %s has an incomplete operation %+v; regenerate the client (go generate ./wsdl/)", c.Package, op.OperationInfo)
		}
		if _, dup := r.ops[op.Name]; dup {
			return nil, fmt.Errorf("soapclient: registry of %s lists operation %s twice; regenerate the client (go generate ./wsdl/)", c.Package, op.Name)
		}
		r.ops[op.Name] = op
		r.names = append(r.names, op.Name)
	}
	slices.Sort(r.names)
	return r, nil
}
