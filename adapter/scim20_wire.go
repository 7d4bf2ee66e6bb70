package adapter

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// wire20 is the SCIM 2.0 dialect at /scim/v2: the scim20 codec, the RFC 7644 error shape,
// meta.location and Location, ETags and If-Match, attribute projection.
type wire20 struct {
	codec *scim20.Codec
	cfg   *Config
}

const prefix20 = "/scim/v2"

func (*wire20) dialect() dialect { return scim20Dialect }

func (d *wire20) customURN() string { return d.codec.CustomURN() }

func (*wire20) createdStatus() int { return http.StatusCreated }

// base is the absolute URL of /scim/v2 for meta.location and Location.
func (d *wire20) base(r *http.Request) string {
	if d.cfg.SCIM2.BaseURL != "" {
		return strings.TrimRight(d.cfg.SCIM2.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + prefix20
}

func (d *wire20) resourceHeaders(w http.ResponseWriter, r *http.Request, endpoint, id, version string, status int) {
	if version != "" {
		w.Header().Set("ETag", scim20.ETag(version))
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", d.base(r)+"/"+endpoint+"/"+url.PathEscape(id))
	}
}

// precondition enforces If-Match against the resource's version. Without a version there is
// nothing to compare, so the header is ignored, as etag.supported false tells clients.
func (*wire20) precondition(r *http.Request, version string) error {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || version == "" || h == "*" {
		return nil
	}
	want := strings.Trim(scim20.ETag(version)[2:], `"`)
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if strings.Trim(tag, `"`) == want {
			return nil
		}
	}
	return newProblem(http.StatusPreconditionFailed, codePrecondition,
		"The resource has changed since the client read it (If-Match does not match its version); read it again and retry")
}

func (d *wire20) decodeUser(data []byte) (*userInput, error) {
	in, err := d.codec.DecodeUser(data)
	if err != nil {
		return nil, decodeFailure("user", err, true)
	}
	return userInput20(in), nil
}

func userInput20(in *scim20.UserInput) *userInput {
	return &userInput{user: in.User, activeSet: in.ActiveSet, ignoredExtensions: in.IgnoredExtensions}
}

func (d *wire20) decodeGroup(data []byte) (*groupInput, error) {
	in, err := d.codec.DecodeGroup(data)
	if err != nil {
		return nil, decodeFailure("group", err, true)
	}
	return groupInput20(in), nil
}

func groupInput20(in *scim20.GroupInput) *groupInput {
	return &groupInput{
		displayName: in.DisplayName, displayNameSet: in.DisplayNameSet,
		externalID: in.ExternalID, externalIDSet: in.ExternalIDSet,
		members: memberEdits(in.Members), membersSet: in.MembersSet,
	}
}

// projection reads attributes / excludedAttributes (RFC 7644 §3.4.2.5).
// It depends on the query string alone and is asked for every resource of a list, so the answer
// is kept for the request (keyed by the query string: .search encodes with a rewritten one).
func projection(r *http.Request) (attrs, excluded []string) {
	ri := infoFrom(r.Context())
	if p := ri.proj; p != nil && p.query == r.URL.RawQuery {
		return p.attrs, p.excluded
	}
	attrs, excluded = parseProjection(r)
	ri.proj = &projected{query: r.URL.RawQuery, attrs: attrs, excluded: excluded}
	return attrs, excluded
}

// projected is a request's parsed attributes / excludedAttributes.
type projected struct {
	query           string
	attrs, excluded []string
}

func parseProjection(r *http.Request) (attrs, excluded []string) {
	v, _ := url.ParseQuery(r.URL.RawQuery) // a bad query string was already refused by parseList
	split := func(name string) []string {
		raw, _ := queryParam(v, name)
		var out []string
		for _, a := range strings.Split(raw, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, a)
			}
		}
		return out
	}
	return split("attributes"), split("excludedAttributes")
}

func (d *wire20) encodeUser(r *http.Request, u *backend.User) ([]byte, error) {
	body, err := d.codec.EncodeUser(u, d.base(r)+"/Users/"+url.PathEscape(u.ID))
	if err != nil {
		return nil, err
	}
	attrs, excluded := projection(r)
	return scim20.Project(body, attrs, excluded)
}

func (d *wire20) encodeGroup(r *http.Request, g *backend.Group) ([]byte, error) {
	base := d.base(r)
	body, err := d.codec.EncodeGroup(g, base+"/Groups/"+url.PathEscape(g.ID), base+"/Users")
	if err != nil {
		return nil, err
	}
	attrs, excluded := projection(r)
	return scim20.Project(body, attrs, excluded)
}

func (*wire20) encodeList(lr *listRequest, total int, items [][]byte) ([]byte, error) {
	return scim20.EncodeList(total, lr.query.StartIndex, items)
}

func (d *wire20) attrPath(p filter.AttrPath, valuePath bool) (filter.AttrPath, error) {
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, scim20.UserSchema) || strings.EqualFold(p.URN, scim20.GroupSchema):
		return normaliseCorePath(p, valuePath), nil
	case d.codec.IsCustomURN(p.URN):
		p.URN = backend.CustomSchema
		return p, nil
	case strings.EqualFold(p.URN, scim20.EnterpriseSchema):
		p.URN = backend.EnterpriseSchema
		return p, nil
	}
	return p, fmt.Errorf("The filter uses the schema [%s], which this connector does not know; custom attributes are under [%s] (scim2.customSchemaURN)",
		p.URN, d.codec.CustomURN())
}
