package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// EnvPrefix starts every environment variable that overrides a key.
const EnvPrefix = "SCRUBD_"

// ApplyEnv overrides keys of c with environment variables named
// SCRUBD_<PATH>: the key path in upper case with "_" between levels, such as
// SCRUBD_KAFKA_BROKERS or SCRUBD_HTTP_ADDR. Lists are comma-separated
// (SCRUBD_KAFKA_BROKERS=a:9092,b:9092), maps comma-separated KEY=VALUE
// pairs (SCRUBD_TOPICS_RESIDENCY=EEA=logs.clean.eea). Keys inside an inline policy are not
// overridden; SCRUBD_POLICY_FILE is. A value that does not parse is an
// error naming the variable.
func ApplyEnv(c *Config, getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	var errs []string
	for _, k := range envKeys(reflect.ValueOf(c).Elem(), EnvPrefix) {
		v := getenv(k.name)
		if v == "" {
			continue
		}
		if err := setFromText(k.field, v); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", k.name, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("environment overrides: %s", strings.Join(errs, "; "))
	}
	return nil
}

// EnvNames lists every environment variable ApplyEnv reads, in field order.
func EnvNames() []string {
	var names []string
	for _, k := range envKeys(reflect.ValueOf(Default()).Elem(), EnvPrefix) {
		names = append(names, k.name)
	}
	return names
}

type envKey struct {
	name  string
	field reflect.Value
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// envKeys lists the leaf fields of the struct v with their variable names.
func envKeys(v reflect.Value, prefix string) []envKey {
	var keys []envKey
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || tag == "" || tag == "-" || tag == "policy" {
			continue
		}
		name := prefix + strings.ToUpper(tag)
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && !reflect.PointerTo(f.Type).Implements(textUnmarshaler) {
			keys = append(keys, envKeys(fv, name+"_")...)
			continue
		}
		keys = append(keys, envKey{name: name, field: fv})
	}
	return keys
}

// setFromText parses s into the field f.
func setFromText(f reflect.Value, s string) error {
	if u, ok := f.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return u.UnmarshalText([]byte(s))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("invalid boolean %q", s)
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, f.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid integer %q", s)
		}
		f.SetInt(n)
	case reflect.Map:
		if f.Type().Key().Kind() != reflect.String || f.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported map type %s", f.Type())
		}
		m := reflect.MakeMap(f.Type())
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			k, v, ok := strings.Cut(p, "=")
			if !ok || strings.TrimSpace(k) == "" {
				return fmt.Errorf("invalid map entry %q (want KEY=VALUE)", p)
			}
			m.SetMapIndex(reflect.ValueOf(strings.TrimSpace(k)), reflect.ValueOf(strings.TrimSpace(v)))
		}
		f.Set(m)
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type %s", f.Type())
		}
		var items []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				items = append(items, p)
			}
		}
		f.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("unsupported type %s", f.Type())
	}
	return nil
}
