package config

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/restclient"
	"github.com/scimbridge/scimbridge/soapclient"
)

// BackendClient is what the bridge holds of a backend client, whichever kind
// (*soapclient.Client, *restclient.Client): the engine's Invoker plus what readiness and
// shutdown need.
type BackendClient interface {
	Invoke(ctx context.Context, op string, req any) (any, error)
	Close() error
	BreakerState() (string, time.Duration)
	Ping(ctx context.Context) error
}

// OAuth2 is the OAuth2 client-credentials grant towards a REST backend: a token from TokenURL,
// cached until shortly before it expires, sent as a bearer token.
type OAuth2 struct {
	TokenURL     string            `yaml:"tokenURL"`
	ClientID     string            `yaml:"clientID"`
	ClientSecret string            `yaml:"clientSecret"`
	Scopes       []string          `yaml:"scopes"`
	Params       map[string]string `yaml:"params"`
}

// RESTCatalog is the mapping engine's view of a REST definition.
func RESTCatalog(d *restclient.Definition) mapping.Catalog { return &restCatalog{d: d} }

type restCatalog struct {
	d *restclient.Definition
	// uncallable lists the names asked for that the OpenAPI document holds uncallable.
	uncallable []string
}

func (r *restCatalog) Operations() []string { return r.d.Operations() }

func (r *restCatalog) Operation(name string) (mapping.OperationInfo, bool) {
	o, ok := r.d.Lookup(name)
	if !ok {
		if _, known := r.d.Uncallable(name); known && !slices.Contains(r.uncallable, name) {
			r.uncallable = append(r.uncallable, name)
		}
		return mapping.OperationInfo{}, false
	}
	return mapping.OperationInfo{Name: o.Name, Request: o.Request, Response: o.Response}, true
}

// CompileREST compiles a mapping against a REST definition. An operation the mapping names that
// the OpenAPI document holds but the client cannot call is explained at its place in the
// document, after the mapping's own problems.
func CompileREST(spec *mapping.Spec, def *restclient.Definition) (*mapping.Engine, error) {
	cat := &restCatalog{d: def}
	eng, err := mapping.Compile(spec, cat, mapping.Options{})
	var l mapping.ErrorList
	if err != nil && errors.As(err, &l) && len(cat.uncallable) > 0 {
		l = slices.Clone(l)
		for _, name := range cat.uncallable {
			if p, ok := def.Uncallable(name); ok {
				l = append(l, p)
			}
		}
		return nil, l
	}
	return eng, err
}

// IsREST reports whether a mapping drives a REST backend: it declares its operations in a
// rest: block, or openapi (backend.openapi, check --openapi) names an OpenAPI document.
func IsREST(spec *mapping.Spec, openapi string) bool {
	return spec != nil && (spec.REST != nil || openapi != "")
}

// RESTDefinition reads the REST operations: the mapping's rest: block, or the OpenAPI document
// openapi names (not both).
func RESTDefinition(spec *mapping.Spec, openapi string) (*restclient.Definition, error) {
	if openapi == "" {
		return restclient.Parse(spec.File, spec.REST)
	}
	if spec.REST != nil {
		return nil, mapping.ErrorList{{File: spec.File, Pos: mapping.Pos{Line: spec.REST.Line, Col: spec.REST.Column},
			Msg: "rest: the operations come from the OpenAPI document " + openapi + "; declare them in one place only"}}
	}
	return restclient.LoadOpenAPI(openapi)
}

// validateREST checks the keys only REST backends use, and that SOAP-only keys are not given
// to one (and the reverse).
func (c *Config) validateREST(p *collector) {
	b := c.Backend
	if o := b.OAuth2; o != nil {
		if o.TokenURL == "" {
			p.bad("backend.oauth2.tokenURL", "required with oauth2 (the token endpoint)")
		} else if u, err := url.Parse(o.TokenURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			p.bad("backend.oauth2.tokenURL", "%q must be an http:// or https:// URL", RedactURL(o.TokenURL))
		}
		if o.ClientID == "" {
			p.bad("backend.oauth2.clientID", "required with oauth2")
		}
		if o.ClientSecret == "" {
			p.bad("backend.oauth2.clientSecret", "required with oauth2; use a ${file:…} reference")
		}
	}
	n := 0
	for _, set := range []bool{b.Basic != nil, b.Bearer != "", b.OAuth2 != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		p.bad("backend", "give at most one of basic, bearer and oauth2")
	}
}

// restConfig is the REST client's configuration from the backend section: the keys shared with
// SOAP (endpoint, timeout, TLS, proxy, headers, resilience) as soapConfig read them, plus
// bearer and oauth2.
func restConfig(cfg *Config, sc soapclient.Config) restclient.Config {
	b := cfg.Backend
	rc := restclient.Config{
		Endpoint:       sc.Endpoint,
		Timeout:        sc.Timeout,
		MaxConcurrency: sc.MaxConcurrency,
		Headers:        sc.Headers,
		TLS:            sc.TLS,
		Proxy:          sc.Proxy,
		UserAgent:      sc.UserAgent,
		Resilience:     sc.Resilience,
		Bearer:         b.Bearer,
		NetHTTP:        sc.NetHTTP,
	}
	if b.Basic != nil {
		rc.Basic = &restclient.BasicAuth{Username: b.Basic.Username, Password: b.Basic.Password}
	}
	if o := b.OAuth2; o != nil {
		rc.OAuth2 = &restclient.OAuth2{TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes, Params: o.Params}
	}
	return rc
}

// buildREST builds the REST client of a mapping with a rest: block and compiles the mapping
// against its catalog; problems go to c (configuration) or are returned (mapping file).
func buildREST(c *collector, cfg *Config, spec *mapping.Spec, sc soapclient.Config) (BackendClient, *mapping.Engine, Problems) {
	b := cfg.Backend
	for key, set := range map[string]bool{"backend.wsdl": b.WSDL != "", "backend.wsse": b.WSSE != nil, "backend.soapVersion": b.SOAPVersion != "", "backend.gowsdlOnly": b.GowsdlOnly} {
		if set {
			c.bad(key, "is for SOAP backends; the mapping %s declares REST operations (rest:)", spec.File)
		}
	}
	def, err := RESTDefinition(spec, b.OpenAPI)
	if err != nil {
		// Positioned problems (in the mapping's rest: block or in the OpenAPI document) are
		// reported where they are; an OpenAPI document that cannot be read at all is the
		// configuration's problem, at backend.openapi.
		if b.OpenAPI != "" && !errors.As(err, new(Problems)) {
			c.bad("backend.openapi", "%s", strings.TrimPrefix(err.Error(), "openapi: "))
			return nil, nil, nil
		}
		return nil, nil, fromMapping(err)
	}
	eng, err := CompileREST(spec, def)
	if err != nil {
		return nil, nil, fromMapping(err)
	}
	client, err := restclient.New(spec.Client.Value, def, restConfig(cfg, sc))
	if err != nil {
		c.component("backend", errors.New(strings.TrimPrefix(err.Error(), "restclient: ")))
		return nil, eng, nil
	}
	return client, eng, nil
}
