package graphref

import (
	"slices"
	"sort"
)

//go:generate go run genpermissions.go

// Permission is one permission that allows an operation. Least marks the
// least privileged ones (the data's "least=" marker).
type Permission struct {
	Name  string
	Least bool
}

// Operation is what Microsoft's permissions data says about one Graph
// operation: the permissions that allow it, per kind of token, in the
// data's order. Op is "METHOD /path" with the path lower-cased and {id} for
// variable segments, as the data writes it ("GET /me/todo/lists/{id}/tasks").
type Operation struct {
	Op                string
	DelegatedWork     []Permission // a work or school account signed in
	DelegatedPersonal []Permission // a personal Microsoft account signed in
	Application       []Permission // an app-only token
}

// Operations returns every operation the permissions data knows, sorted by
// Op. The table is shared: callers must not modify it.
func Operations() []Operation { return operations }

// LookupOperation returns the operation op exactly as the data writes it.
func LookupOperation(op string) (Operation, bool) {
	i := sort.Search(len(operations), func(i int) bool { return operations[i].Op >= op })
	if i < len(operations) && operations[i].Op == op {
		return operations[i], true
	}
	return Operation{}, false
}

// All returns the names of every permission that allows the operation:
// delegated work, delegated personal, then application, each in the data's
// order (least privileged first), without repeats.
func (o Operation) All() []string {
	var names []string
	for _, kind := range [][]Permission{o.DelegatedWork, o.DelegatedPersonal, o.Application} {
		for _, p := range kind {
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	return names
}
