package linux

import (
	"fmt"
	"reflect"
	"testing"
)

// fill sets every field of v to a distinct non-zero value.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint16:
		v.SetUint(uint64(*n))
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Array:
		for i := range v.Len() {
			fill(v.Index(i), n)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// Every field survives the trip to the init and the exec helper: a field
// added to Spec, ExecSpec or message but not to the codec fails this.
func TestCodecRoundTrip(t *testing.T) {
	n := 0
	var ir initRequest
	fill(reflect.ValueOf(&ir).Elem(), &n)
	got, err := decodeInitRequest(encodeInitRequest(ir))
	if err != nil || !reflect.DeepEqual(got, ir) {
		t.Errorf("init request:\n got %+v, %v\nwant %+v", got.Spec, err, ir.Spec)
	}
	var er execRequest
	fill(reflect.ValueOf(&er).Elem(), &n)
	if got, err := decodeExecRequest(encodeExecRequest(er)); err != nil || !reflect.DeepEqual(got, er) {
		t.Errorf("exec request:\n got %+v, %v\nwant %+v", got, err, er)
	}
	var m message
	fill(reflect.ValueOf(&m).Elem(), &n)
	var e encoder
	e.message(m)
	d := decoder{b: e.b}
	if got := d.message(); d.done() != nil || got != m {
		t.Errorf("message: got %+v, want %+v", got, m)
	}
}

// nil means "Docker's defaults" for the masked paths; empty means none.
func TestCodecKeepsNilApartFromEmpty(t *testing.T) {
	for _, masked := range [][]string{nil, {}} {
		r := initRequest{Spec: &Spec{MaskedPaths: masked}}
		got, err := decodeInitRequest(encodeInitRequest(r))
		if err != nil || (got.Spec.MaskedPaths == nil) != (masked == nil) {
			t.Errorf("%#v came back as %#v (%v)", masked, got.Spec.MaskedPaths, err)
		}
	}
}

func TestCodecRejectsGarbage(t *testing.T) {
	b := encodeInitRequest(initRequest{Spec: &Spec{Args: []string{"true"}}})
	for _, bad := range [][]byte{b[:len(b)-1], append(b, 0), {0xff, 0xff, 0xff}} {
		if _, err := decodeInitRequest(bad); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
}
