package api

import (
	"encoding/json"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"reflect"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Errors about a wrongly shaped field say what the field must look like,
// with an example, so that a first request can be fixed from the error
// alone ("annual_value: must be an object such as {...}", not "must be an
// object").

// moneyShape is the shape of every money field.
const moneyShape = `an object such as {"amount_minor": 120000, "currency": "USD"}: the amount in minor units ` +
	`(120000 is 1,200.00 USD) and an ISO 4217 currency`

// shapesByType are the shapes of the structured request types.
var shapesByType = map[reflect.Type]string{
	reflect.TypeFor[domain.Money](): moneyShape,
	reflect.TypeFor[domain.Window](): `an object such as {"value": 72, "unit": "hours"} ` +
		`(unit: hours, calendar_days or business_days)`,
	reflect.TypeFor[clauseInput](): `an object such as {"window": {"value": 72, "unit": "hours"}, "trigger": "discovery"} ` +
		`or {"standard": "without_undue_delay", "trigger": "discovery"}`,
	reflect.TypeFor[contract.Recipient]():   `an object such as {"role": "CISO", "email": "ciso@example.com"}`,
	reflect.TypeFor[[]contract.Recipient](): `an array such as [{"role": "CISO", "email": "ciso@example.com"}]`,
}

// shapesByField are the shapes of fields whose JSON type alone says too
// little, by the field's name.
var shapesByField = map[string]string{
	"access":        `an array such as ["stores", "transmits"] (stores, processes, transmits)`,
	"jurisdictions": `an array of codes such as ["GB", "EU", "US-CA"]`,
	"categories":    `an array of data category codes such as ["cardholder_data", "contact_pii"] (GET /api/v1/data-categories)`,
	"systems":       `an array of strings such as ["crm", "checkout"]`,
	"events":        `an array of event types such as ["finding.opened", "incident.notice_late"]`,
	"vendor_ids":    `an array of vendor ids`,
	"residents":     `an object of counts by jurisdiction such as {"US-CA": 1200, "US-NY": 300}`,
}

// expectedShape says what a field of Go type t must be in JSON. field is
// its path ("annual_value", "breach_notification.window").
func expectedShape(t reflect.Type, field string) string {
	if s, ok := shapesByType[t]; ok {
		return s
	}
	name := field[strings.LastIndexByte(field, '.')+1:]
	if s, ok := shapesByField[name]; ok {
		return s
	}
	switch t.Kind() {
	case reflect.String:
		switch {
		case strings.HasSuffix(name, "_on") || name == "as_of":
			return `a date string such as "2026-01-31"`
		case strings.HasSuffix(name, "_at") || strings.HasPrefix(name, "exposure_") || name == "effective_from":
			return `an RFC 3339 instant string such as "2026-01-31T09:00:00Z"`
		}
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

// unknownField finds where the unknown field name sits in body, decoded
// into a value of type t: its path ("annual_value.amount"), and the path
// and type of the object that lacks it (empty for the top level).
func unknownField(body []byte, t reflect.Type, name string) (path, parent string, parentType reflect.Type) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return name, "", nil
	}
	path, parent, parentType, _ = findUnknown(v, t, "", name)
	if path == "" {
		return name, "", nil
	}
	return path, parent, parentType
}

func findUnknown(v any, t reflect.Type, at, name string) (string, string, reflect.Type, bool) {
	t = valueType(t)
	switch v := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			if t.Kind() == reflect.Map {
				for k, x := range v {
					if p, pp, pt, ok := findUnknown(x, t.Elem(), join(at, k), name); ok {
						return p, pp, pt, ok
					}
				}
			}
			return "", "", nil, false
		}
		for k, x := range v {
			ft, ok := jsonField(t, k)
			if !ok {
				if k == name {
					return join(at, k), at, t, true
				}
				continue
			}
			if p, pp, pt, ok := findUnknown(x, ft, join(at, k), name); ok {
				return p, pp, pt, ok
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for _, x := range v {
				if p, pp, pt, ok := findUnknown(x, t.Elem(), at, name); ok {
					return p, pp, pt, ok
				}
			}
		}
	}
	return "", "", nil, false
}

// valueType is what JSON decodes into for t: through pointers and
// Optional[T] (whose JSON is T's).
func valueType(t reflect.Type) reflect.Type {
	for {
		switch {
		case t.Kind() == reflect.Pointer:
			t = t.Elem()
		case t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Optional["):
			f, _ := t.FieldByName("Value")
			t = f.Type
		default:
			return t
		}
	}
}

// jsonField returns the type of struct t's field with JSON name key
// (matched as encoding/json does, case aside).
func jsonField(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if ft, ok := jsonField(f.Type, key); ok {
				return ft, true
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if f.IsExported() && name != "-" && strings.EqualFold(name, key) {
			return f.Type, true
		}
	}
	return nil, false
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}
