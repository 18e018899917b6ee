package dockercli

import (
	"net/netip"
	"reflect"
	"sync"

	"github.com/moby/moby/api/types/network"
)

// The API types of github.com/moby/moby/api use netip.Addr,
// network.Port and network.HardwareAddr where the docker CLI v28 had
// plain strings. Printed by a --format template they differ: a zero
// netip.Addr prints "invalid IP" instead of "", and maps keyed by ports
// are ordered numerically instead of as strings. templateView rebuilds a
// value with those fields turned back into strings, so templates print
// what Docker prints.

var (
	addrType = reflect.TypeFor[netip.Addr]()
	prefType = reflect.TypeFor[netip.Prefix]()
	portType = reflect.TypeFor[network.Port]()
	hwType   = reflect.TypeFor[network.HardwareAddr]()
	strType  = reflect.TypeFor[string]()

	viewTypes sync.Map // reflect.Type -> reflect.Type
)

// templateView returns v with address, port and MAC values as strings.
func templateView(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	return convertValue(rv, viewType(rv.Type(), map[reflect.Type]bool{})).Interface()
}

func isStringly(t reflect.Type) bool {
	return t == addrType || t == prefType || t == portType || t == hwType
}

// viewType maps a type to its view type; types without anything to
// convert map to themselves.
func viewType(t reflect.Type, visiting map[reflect.Type]bool) reflect.Type {
	if vt, ok := viewTypes.Load(t); ok {
		return vt.(reflect.Type)
	}
	if isStringly(t) {
		return strType
	}
	if visiting[t] {
		return t
	}
	visiting[t] = true
	defer delete(visiting, t)

	out := t
	switch t.Kind() {
	case reflect.Pointer:
		if e := viewType(t.Elem(), visiting); e != t.Elem() {
			out = reflect.PointerTo(e)
		}
	case reflect.Slice:
		if e := viewType(t.Elem(), visiting); e != t.Elem() {
			out = reflect.SliceOf(e)
		}
	case reflect.Array:
		if e := viewType(t.Elem(), visiting); e != t.Elem() {
			out = reflect.ArrayOf(t.Len(), e)
		}
	case reflect.Map:
		k, e := viewType(t.Key(), visiting), viewType(t.Elem(), visiting)
		if k != t.Key() || e != t.Elem() {
			out = reflect.MapOf(k, e)
		}
	case reflect.Struct:
		fields := make([]reflect.StructField, 0, t.NumField())
		changed := false
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				changed = true
				continue
			}
			ft := viewType(f.Type, visiting)
			if ft != f.Type {
				changed = true
			}
			fields = append(fields, reflect.StructField{Name: f.Name, Type: ft, Tag: f.Tag, Anonymous: f.Anonymous && ft.Kind() == reflect.Struct})
		}
		if changed && !hasStringMethod(t) {
			out = structOf(fields, t)
		}
	}
	viewTypes.Store(t, out)
	return out
}

// structOf builds the view struct, keeping the original type if reflect
// cannot build it (embedded fields with methods).
func structOf(fields []reflect.StructField, orig reflect.Type) (t reflect.Type) {
	defer func() {
		if recover() != nil {
			t = orig
		}
	}()
	return reflect.StructOf(fields)
}

// hasStringMethod keeps types that print themselves (time.Time, ...).
func hasStringMethod(t reflect.Type) bool {
	_, ok := t.MethodByName("String")
	if ok {
		return true
	}
	_, ok = reflect.PointerTo(t).MethodByName("String")
	return ok
}

func stringOf(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case netip.Addr:
		if !x.IsValid() {
			return ""
		}
		return x.String()
	case netip.Prefix:
		if !x.IsValid() {
			return ""
		}
		return x.String()
	case network.Port:
		if x.IsZero() {
			return ""
		}
		return x.String()
	case network.HardwareAddr:
		return x.String()
	}
	return ""
}

func convertValue(v reflect.Value, to reflect.Type) reflect.Value {
	if v.Type() == to {
		return v
	}
	if to == strType && isStringly(v.Type()) {
		return reflect.ValueOf(stringOf(v))
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(to)
		}
		p := reflect.New(to.Elem())
		p.Elem().Set(convertValue(v.Elem(), to.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(to)
		}
		s := reflect.MakeSlice(to, v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			s.Index(i).Set(convertValue(v.Index(i), to.Elem()))
		}
		return s
	case reflect.Array:
		a := reflect.New(to).Elem()
		for i := 0; i < v.Len(); i++ {
			a.Index(i).Set(convertValue(v.Index(i), to.Elem()))
		}
		return a
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(to)
		}
		m := reflect.MakeMapWithSize(to, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			m.SetMapIndex(convertValue(iter.Key(), to.Key()), convertValue(iter.Value(), to.Elem()))
		}
		return m
	case reflect.Struct:
		s := reflect.New(to).Elem()
		for i := 0; i < to.NumField(); i++ {
			f := to.Field(i)
			s.Field(i).Set(convertValue(v.FieldByName(f.Name), f.Type))
		}
		return s
	}
	return v
}
