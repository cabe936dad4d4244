package domain

// Page limits.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// PageRequest asks for one page of a keyset-paginated list. After is the
// store's cursor from the previous page ("" for the first page); the api
// package makes it opaque to clients.
type PageRequest struct {
	Limit int
	After string
}

// Size is the effective page size: the default when unset, never above
// the maximum.
func (p PageRequest) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	}
	return p.Limit
}

// Page is one page of results. Next is "" on the last page.
type Page[T any] struct {
	Items []T
	Next  string
}
