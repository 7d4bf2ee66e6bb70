package scimjson

import (
	"bytes"
	"strings"
)

// FastGroup is a group body decoded by DecodeGroupFast: what the generic path reads of it, with
// the presence flags both dialects need.
type FastGroup struct {
	ID                string
	ExternalID        string
	ExternalIDPresent bool
	DisplayName       string
	DisplayNameSet    bool // present and not null
	Members           []Member
	MembersPresent    bool
	MembersNull       bool
	// Exts are the "urn:" keys, sorted as SortedKeys sorts the lower-cased keys.
	Exts []FastExt
}

// DecodeGroupFast decodes a group body of the common shape, whose member list may be thousands of
// entries long (a group push); ok is false when the caller must use the generic path (see
// DecodeUserFast). deltaOps reads the SCIM 1.1 `operation` key of members, as Members does.
func DecodeGroupFast(data []byte, deltaOps bool) (fg *FastGroup, ok bool) {
	s := &fastScanner{}
	if !s.begin(data) {
		return nil, false
	}
	defer func() {
		if gaveUp(recover()) {
			fg, ok = nil, false
		}
	}()
	fg = &FastGroup{}
	var seen seenKeys
	s.attrs(func(lk, key []byte) {
		if bytes.HasPrefix(lk, []byte("urn:")) {
			fg.Exts = s.ext(fg.Exts, key)
			return
		}
		switch string(lk) {
		case "id":
			seen.add(s, 0)
			fg.ID = s.strAttr()
		case "externalid":
			seen.add(s, 1)
			fg.ExternalID, fg.ExternalIDPresent = s.strAttr(), true
		case "displayname":
			seen.add(s, 2)
			if s.peek() == 'n' {
				s.literal("null")
				return
			}
			fg.DisplayName, fg.DisplayNameSet = s.strAttr(), true
		case "members":
			seen.add(s, 3)
			fg.MembersPresent = true
			fg.MembersNull = s.peek() == 'n'
			fg.Members = s.members(deltaOps)
		default:
			s.skip()
		}
	})
	s.end(fg.Exts)
	return fg, true
}

// ext appends a top-level "urn:" key and its value, giving up on a second spelling of one.
func (s *fastScanner) ext(exts []FastExt, key []byte) []FastExt {
	for _, e := range exts {
		if strings.EqualFold(e.Key, string(key)) { // ASCII keys: the same as Lower's collision
			s.slow()
		}
	}
	return append(exts, FastExt{Key: string(key), Value: s.value()})
}

// members reads a member list as Members does; an entry Members refuses gives up.
func (s *fastScanner) members(deltaOps bool) []Member {
	out := []Member{}
	s.array(func() {
		if s.peek() == 'n' { // null entries are skipped
			s.literal("null")
			return
		}
		var mi Member
		var op string
		var seen seenKeys
		s.attrs(func(lk, key []byte) {
			switch string(lk) {
			case "value":
				seen.add(s, 0)
				mi.Value = s.strAttr()
			case "display":
				seen.add(s, 1)
				mi.Display = s.strAttr()
			case "operation":
				if !deltaOps {
					s.skip()
					return
				}
				seen.add(s, 2)
				op = s.strAttr()
			default:
				s.skip()
			}
		})
		if mi.check(op) != nil {
			s.slow()
		}
		out = append(out, mi)
	})
	return out
}
