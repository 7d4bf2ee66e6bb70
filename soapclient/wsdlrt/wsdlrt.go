package wsdlrt

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/internal/wsdlgen"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// Options say where the WSDL is and how to reach the application.
type Options struct {
	// WSDL is a file (imports and includes are read from files next to it) or an http(s) URL such
	// as the application's own ?wsdl, fetched once with Config's TLS, proxy and credentials.
	WSDL string
	// Binding selects one of several SOAP bindings by name.
	Binding string
	// SaveTo, for a URL, writes the document as read (imports inlined, the chosen binding only)
	// to this file, so later starts can use the file and need not fetch.
	SaveTo string
	// Name is the client's name in logs and metrics; default "wsdl".
	Name string
}

// Call sends one operation's request (a pointer to its Request type) through c and decodes the
// answer into a new value of its Response type.
type Call func(ctx context.Context, c *soap.Client, req any) (any, error)

// Style builds the Call of one operation for one SOAP style and use.
type Style func(op wsdlgen.ModelOperation) (Call, error)

var (
	stylesMu sync.RWMutex
	styles   = map[string]Style{"document/literal": documentLiteral}
)

// RegisterStyle makes the runtime client send operations of style/use ("rpc/encoded", say)
// with s. It is meant for init functions of this package's files.
func RegisterStyle(styleUse string, s Style) {
	stylesMu.Lock()
	defer stylesMu.Unlock()
	styles[styleUse] = s
}

func styleFor(styleUse string) (Style, bool) {
	stylesMu.RLock()
	defer stylesMu.RUnlock()
	s, ok := styles[styleUse]
	return s, ok
}

// fetchTimeout bounds fetching a WSDL and its imports by URL at start-up.
const fetchTimeout = 60 * time.Second

// Load reads the WSDL into a model (see package wsdlgen). cfg is used only to fetch a URL.
func Load(ctx context.Context, opts Options, cfg soapclient.Config) (*wsdlgen.Model, error) {
	wo := wsdlgen.Options{WSDL: opts.WSDL, Binding: opts.Binding}
	if isURL(opts.WSDL) {
		tr := soapclient.NewTransport(cfg)
		defer tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
		defer cancel()
		wo.Fetch = func(url string) ([]byte, error) { return tr.Fetch(ctx, url) }
	} else if opts.SaveTo != "" {
		return nil, fmt.Errorf("wsdl: saving applies to a WSDL read from a URL; %s is a file already", opts.WSDL)
	}
	m, err := wsdlgen.Load(wo)
	if err != nil {
		return nil, err
	}
	if opts.SaveTo != "" {
		if err := os.WriteFile(opts.SaveTo, m.Document, 0o644); err != nil {
			return nil, fmt.Errorf("wsdl: saving the WSDL: %w", err)
		}
	}
	return m, nil
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// Registry turns a model into a registry of operations that soapclient can call. An operation
// whose style and use no encoder speaks is refused, naming it.
func Registry(m *wsdlgen.Model, name string) (*soapreg.Client, error) {
	if name == "" {
		name = "wsdl"
	}
	reg := &soapreg.Client{Package: name, WSDL: m.WSDL, Binding: m.Binding}
	var unsupported []string
	where := m.WSDL
	for _, op := range m.Operations {
		key := op.Style + "/" + op.Use
		s, ok := styleFor(key)
		if !ok {
			if len(unsupported) == 0 && op.Where != "" {
				where = op.Where
			}
			unsupported = append(unsupported, op.Name+" ("+key+")")
			continue
		}
		call, err := s(op)
		if err != nil {
			return nil, fmt.Errorf("%s: operation %s: %w", m.WSDL, op.Name, err)
		}
		reg.Operations = append(reg.Operations, soapreg.Dynamic(soapreg.OperationInfo{
			Name: op.Name, Request: op.Request, Response: op.Response, SOAPAction: op.SOAPAction,
			// Only documentLiteral decodes the Body's child into a new Response.
			DecodesBody: key == "document/literal" && op.Response != voidType,
		}, call))
	}
	if len(unsupported) > 0 {
		more := ""
		if len(unsupported) > 5 {
			unsupported, more = unsupported[:5], ", …"
		}
		return nil, &wsdlgen.RefusedError{Msg: fmt.Sprintf("%s: binding %s: the runtime client cannot send %s%s. Way forward: ask the vendor for a document/literal endpoint of the service, or pick a document/literal binding of the same WSDL with backend.wsdlBinding (scimbridge wsdl inspect --binding NAME shows one)", where, m.Binding, strings.Join(unsupported, ", "), more)}
	}
	return reg, nil
}

// New loads the WSDL and builds a client for it. cfg.Endpoint defaults to the WSDL's
// soap:address. The registry is returned too: it is the catalog the mapping compiles against.
func New(ctx context.Context, opts Options, cfg soapclient.Config) (*soapclient.Client, *soapreg.Client, error) {
	m, err := Load(ctx, opts, cfg)
	if err != nil {
		return nil, nil, err
	}
	reg, err := Registry(m, opts.Name)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = m.Endpoint
	}
	if cfg.SOAPVersion == "" && m.SOAPVersion != "" {
		cfg.SOAPVersion = m.SOAPVersion // a WSDL with SOAP 1.2 bindings only
	}
	c, err := soapclient.NewFromRegistry(reg.Package, reg, cfg)
	if err != nil {
		return nil, nil, err
	}
	return c, reg, nil
}

var voidType = reflect.TypeFor[soapreg.Void]()

// emptyBody is the request of an operation whose input message has no part: nothing inside
// soap:Body.
type emptyBody struct{}

func (emptyBody) MarshalXML(*xml.Encoder, xml.StartElement) error { return nil }

// documentLiteral sends the request struct as the Body's only child and decodes the Body's first
// child into the response struct, as the generated clients do (through gowsdl's own runtime).
func documentLiteral(op wsdlgen.ModelOperation) (Call, error) {
	return func(ctx context.Context, c *soap.Client, req any) (any, error) {
		var body any = req
		if op.Request == voidType {
			body = emptyBody{}
		}
		resp := reflect.New(op.Response).Interface()
		if err := c.CallContext(ctx, op.SOAPAction, body, resp); err != nil {
			return nil, err
		}
		return resp, nil
	}, nil
}
