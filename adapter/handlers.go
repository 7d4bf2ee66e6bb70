package adapter

import (
	"context"
	"net/http"

	"github.com/scimbridge/scimbridge/backend"
)

// The handlers both dialects share, written once over a wire and a resource kind: list, get,
// create and replace of users and groups. What only one dialect has (PATCH and DELETE in SCIM 2.0,
// the 1.1 DELETE status) lives in the scim11_*.go and scim20_*.go files.

// handle adapts a handler that returns its failure to an http.HandlerFunc.
func handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			answerError(w, r, err)
		}
	}
}

// withID runs h with the percent-decoded {id}; a path whose id does not decode names no resource.
func (s *server) withID(h func(w http.ResponseWriter, r *http.Request, id string) error) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		id, ok := pathID(r)
		if !ok {
			s.noResource(w, r)
			return nil
		}
		return h(w, r, id)
	})
}

// kind is what the shared handlers need to know about one resource type T decoded as I: how the
// core lists, reads, creates and replaces it, and how a wire encodes it.
type kind[T, I any] struct {
	name     string // "user", for error wording
	endpoint string // "Users", for Location
	list     func(s *server, ctx context.Context, lr *listRequest) (total int, items []T, err error)
	get      func(s *server, ctx context.Context, id string) (*T, error)
	decode   func(d wire, data []byte) (*I, error)
	check    func(s *server, ctx context.Context, in *I, d wire) error
	create   func(s *server, ctx context.Context, in *I) (*T, error)
	// replace reads the resource, calls build with its version, and stores what build returns.
	replace func(s *server, ctx context.Context, id string, build func(version string) (*I, error)) (*T, error)
	encode  func(d wire, r *http.Request, v *T) ([]byte, error)
	ident   func(v *T) (id, version string)
}

var users = kind[backend.User, userInput]{
	name: "user", endpoint: "Users",
	list: func(s *server, ctx context.Context, lr *listRequest) (int, []backend.User, error) {
		page, err := s.listUsers(ctx, lr)
		if err != nil {
			return 0, nil, err
		}
		return page.Total, page.Users, nil
	},
	get: func(s *server, ctx context.Context, id string) (*backend.User, error) {
		u, err := s.b.GetUser(ctx, id)
		return u, failed(op{resource: "user", id: id}, err)
	},
	decode: wire.decodeUser,
	check: func(s *server, ctx context.Context, in *userInput, d wire) error {
		return s.checkUser(ctx, in, d.customURN())
	},
	create: (*server).createUser,
	replace: func(s *server, ctx context.Context, id string, build func(string) (*userInput, error)) (*backend.User, error) {
		return s.replaceUser(ctx, id, func(cur *backend.User) (*userInput, error) { return build(cur.Meta.Version) })
	},
	encode: wire.encodeUser,
	ident:  func(u *backend.User) (string, string) { return u.ID, u.Meta.Version },
}

var groups = kind[backend.Group, groupInput]{
	name: "group", endpoint: "Groups",
	list: func(s *server, ctx context.Context, lr *listRequest) (int, []backend.Group, error) {
		page, err := s.listGroups(ctx, lr)
		if err != nil {
			return 0, nil, err
		}
		return page.Total, page.Groups, nil
	},
	get: func(s *server, ctx context.Context, id string) (*backend.Group, error) {
		g, err := s.b.GetGroup(ctx, id)
		return g, failed(op{resource: "group", id: id}, err)
	},
	decode: wire.decodeGroup,
	check: func(s *server, _ context.Context, in *groupInput, _ wire) error {
		return checkGroupStrings(in, s.cfg.MaxStringLength, s.groupLimits)
	},
	create: (*server).createGroup,
	// A group PUT is a whole-object body in either dialect, so groups.membership applies to both.
	replace: func(s *server, ctx context.Context, id string, build func(string) (*groupInput, error)) (*backend.Group, error) {
		return s.updateGroup(ctx, id, "PUT", func(cur *backend.Group) (*groupInput, error) { return build(cur.Meta.Version) })
	},
	encode: wire.encodeGroup,
	ident:  func(g *backend.Group) (string, string) { return g.ID, g.Meta.Version },
}

// writeOne answers with one resource and its headers.
func writeOne[T, I any](w http.ResponseWriter, r *http.Request, d wire, k kind[T, I], status int, v *T) error {
	id, version := k.ident(v)
	body, err := k.encode(d, r, v)
	if err != nil {
		return failed(op{resource: k.name, id: id}, err)
	}
	d.resourceHeaders(w, r, k.endpoint, id, version, status)
	writeJSON(w, status, body)
	return nil
}

// readOne reads and decodes a body and applies the checks every such resource gets.
func readOne[T, I any](s *server, r *http.Request, d wire, k kind[T, I]) (*I, error) {
	data, err := s.readBody(r)
	if err != nil {
		return nil, err
	}
	in, err := k.decode(d, data)
	if err != nil {
		return nil, err
	}
	return in, k.check(s, r.Context(), in, d)
}

// listHandler is the one list handler: parse the query, fetch one page, encode each item and wrap
// them in the dialect's list response. An answer cut at maxPageSize says so (SCIM 1.1 writes
// startIndex and itemsPerPage then) even when the client did not page.
func listHandler[T, I any](s *server, d wire, k kind[T, I]) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		lr, err := s.parseList(r, d)
		if err != nil {
			return err
		}
		total, items, err := k.list(s, r.Context(), lr)
		if err != nil {
			return err
		}
		bodies := make([][]byte, 0, len(items))
		for i := range items {
			b, err := k.encode(d, r, &items[i])
			if err != nil {
				return failed(op{resource: k.name, list: true}, err)
			}
			bodies = append(bodies, b)
		}
		if total > len(items) && !lr.paged && lr.query.Count > 0 {
			lr.paged = true
		}
		body, err := d.encodeList(lr, total, bodies)
		if err != nil {
			return failed(op{resource: k.name, list: true}, err)
		}
		writeJSON(w, http.StatusOK, body)
		return nil
	})
}

func getHandler[T, I any](s *server, d wire, k kind[T, I]) http.HandlerFunc {
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		v, err := k.get(s, r.Context(), id)
		if err != nil {
			return err
		}
		return writeOne(w, r, d, k, http.StatusOK, v)
	})
}

func createHandler[T, I any](s *server, d wire, k kind[T, I]) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		in, err := readOne(s, r, d, k)
		if err != nil {
			return err
		}
		created, err := k.create(s, r.Context(), in)
		if err != nil {
			return err
		}
		return writeOne(w, r, d, k, d.createdStatus(), created)
	})
}

// replaceHandler is PUT /{endpoint}/{id}: the body is decoded first (400 before 404), then the core
// reads the resource, checks the request's preconditions against it and stores the body. For a
// user the stored user carries the real resulting active, which Okta reads back on activation.
func replaceHandler[T, I any](s *server, d wire, k kind[T, I]) http.HandlerFunc {
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		in, err := readOne(s, r, d, k)
		if err != nil {
			return err
		}
		stored, err := k.replace(s, r.Context(), id, func(version string) (*I, error) {
			return in, d.precondition(r, version)
		})
		if err != nil {
			return err
		}
		return writeOne(w, r, d, k, http.StatusOK, stored)
	})
}
