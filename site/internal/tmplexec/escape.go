package tmplexec

import (
	"bytes"
	"fmt"
	"html/template"
	"reflect"
	"strings"
)

// This file holds the escapers that html/template adds to the end of
// pipelines, written again so that they run without reflection and write
// straight into the page. Each one gives exactly what html/template's own
// gives for the same arguments; FuzzEscapers holds them to that. An
// escaper that is not here makes Compile refuse the template.
//
// html/template's escapers are unexported and may change with any Go
// release. CheckedGo names the release they were last compared with;
// TestCheckedGo fails on any other, until they are compared again.

// CheckedGo is the Go release (major.minor) whose html/template escapers
// this package's were last compared with, line by line and by
// FuzzEscapers.
const CheckedGo = "go1.26"

// contentType is the kind of safe content a value declares by its type.
type contentType int

const (
	contentPlain contentType = iota
	contentCSS
	contentHTML
	contentHTMLAttr
	contentJS
	contentJSStr
	contentURL
	contentSrcset
)

var (
	stringType   = reflect.TypeFor[string]()
	contentTypes = map[reflect.Type]contentType{
		reflect.TypeFor[template.CSS]():      contentCSS,
		reflect.TypeFor[template.HTML]():     contentHTML,
		reflect.TypeFor[template.HTMLAttr](): contentHTMLAttr,
		reflect.TypeFor[template.JS]():       contentJS,
		reflect.TypeFor[template.JSStr]():    contentJSStr,
		reflect.TypeFor[template.URL]():      contentURL,
		reflect.TypeFor[template.Srcset]():   contentSrcset,
	}
	stringerType = reflect.TypeFor[fmt.Stringer]()
	errorType    = reflect.TypeFor[error]()
)

// filterFailsafe is what html/template puts in place of a value it
// refuses in a URL or CSS context.
const filterFailsafe = "ZgotmplZ"

// escaper writes the escaped form of its arguments to w.
type escaper func(w *bytes.Buffer, args []reflect.Value) error

// escapers are the html/template escapers this package runs itself, by
// the names html/template gives them in an escaped parse tree.
var escapers = map[string]escaper{
	"_html_template_htmlescaper": func(w *bytes.Buffer, args []reflect.Value) error {
		s, t := stringify(args)
		if t == contentHTML {
			w.WriteString(s)
		} else {
			writeHTML(w, s, true)
		}
		return nil
	},
	"_html_template_attrescaper": func(w *bytes.Buffer, args []reflect.Value) error {
		s, t := stringify(args)
		if t == contentHTML {
			return gaveUp() // html/template strips the tags first
		}
		writeHTML(w, s, true)
		return nil
	},
	"_html_template_rcdataescaper": func(w *bytes.Buffer, args []reflect.Value) error {
		s, t := stringify(args)
		writeHTML(w, s, t != contentHTML)
		return nil
	},
	"_html_template_urlfilter": func(w *bytes.Buffer, args []reflect.Value) error {
		s, t := stringify(args)
		if t != contentURL && !isSafeURL(s) {
			s = "#" + filterFailsafe
		}
		w.WriteString(s)
		return nil
	},
	"_html_template_urlnormalizer": func(w *bytes.Buffer, args []reflect.Value) error {
		s, _ := stringify(args)
		writeURL(w, s, true)
		return nil
	},
	"_html_template_urlescaper": func(w *bytes.Buffer, args []reflect.Value) error {
		s, t := stringify(args)
		writeURL(w, s, t == contentURL)
		return nil
	},
	"_html_template_cssvaluefilter": func(w *bytes.Buffer, args []reflect.Value) error {
		s, t := stringify(args)
		if t == contentCSS {
			w.WriteString(s)
			return nil
		}
		if strings.IndexByte(s, '\\') >= 0 {
			return gaveUp() // CSS escapes are decoded first
		}
		w.WriteString(filterCSSValue(s))
		return nil
	},
	"_html_template_commentescaper": func(w *bytes.Buffer, args []reflect.Value) error {
		return nil
	},
}

// fuse returns one escaper that does what the escapers of chain, one
// after the other, do; nil if chain is empty or this package cannot fuse
// it. The chains html/template ends attribute values with are fused so
// that no escaper in the middle makes a string of its own.
func fuse(chain []string) escaper {
	switch strings.Join(chain, " | ") {
	case "":
		return nil
	case "_html_template_urlfilter | _html_template_urlnormalizer | _html_template_attrescaper":
		return func(w *bytes.Buffer, args []reflect.Value) error {
			s, t := stringify(args)
			if t != contentURL && !isSafeURL(s) {
				s = "#" + filterFailsafe
			}
			writeURLAttr(w, s, true)
			return nil
		}
	case "_html_template_urlnormalizer | _html_template_attrescaper":
		return func(w *bytes.Buffer, args []reflect.Value) error {
			s, _ := stringify(args)
			writeURLAttr(w, s, true)
			return nil
		}
	case "_html_template_urlescaper | _html_template_attrescaper":
		return func(w *bytes.Buffer, args []reflect.Value) error {
			s, t := stringify(args)
			writeURLAttr(w, s, t == contentURL)
			return nil
		}
	case "_html_template_cssvaluefilter | _html_template_attrescaper":
		return func(w *bytes.Buffer, args []reflect.Value) error {
			s, t := stringify(args)
			if t != contentCSS {
				if strings.IndexByte(s, '\\') >= 0 {
					return gaveUp() // CSS escapes are decoded first
				}
				s = filterCSSValue(s)
			}
			writeHTML(w, s, true)
			return nil
		}
	}
	if len(chain) == 1 {
		return escapers[chain[0]]
	}
	return nil
}

// stringify is html/template's: a single value of one of its content
// types keeps its type; anything else is printed as fmt.Sprint would,
// with pointers followed to a value, a Stringer or an error, and untyped
// nils left out.
func stringify(args []reflect.Value) (string, contentType) {
	if len(args) == 1 {
		v := args[0]
		if v.Kind() == reflect.Interface && !v.IsNil() {
			v = v.Elem()
		}
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.IsValid() {
			if v.Type() == stringType {
				return v.String(), contentPlain
			}
			if t, ok := contentTypes[v.Type()]; ok {
				return v.String(), t
			}
		}
	}
	vals := make([]any, 0, len(args))
	for _, v := range args {
		if !v.IsValid() || (v.Kind() == reflect.Interface && v.IsNil()) {
			continue
		}
		if v.Kind() == reflect.Interface {
			v = v.Elem()
		}
		for !v.Type().Implements(stringerType) && !v.Type().Implements(errorType) && v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		vals = append(vals, v.Interface())
	}
	return fmt.Sprint(vals...), contentPlain
}

// htmlSpecial marks the bytes writeHTML may replace.
var htmlSpecial = [256]bool{0: true, '"': true, '&': true, '\'': true, '+': true, '<': true, '>': true}

// writeHTML writes s with the characters that are special in HTML text
// and quoted attributes replaced by references. With amp false, as for
// text that is HTML already, ampersands stay.
func writeHTML(w *bytes.Buffer, s string, amp bool) {
	written := 0
	for i := 0; i < len(s); i++ {
		if !htmlSpecial[s[i]] {
			continue
		}
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			if !amp {
				continue
			}
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		w.WriteString(s[written:i])
		w.WriteString(repl)
		written = i + 1
	}
	w.WriteString(s[written:])
}

// isSafeURL reports whether s has no scheme, or one of http, https and
// mailto.
func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			return false
		}
	}
	return true
}

// writeURL writes s with every byte that is not unreserved in a URL
// percent-encoded. With norm, reserved characters and valid escapes stay
// as they are too: s is a URL, not a part of one.
func writeURL(w *bytes.Buffer, s string, norm bool) {
	processURL(w, s, norm, false)
}

// writeURLAttr writes s as writeURL does, then escaped for a quoted
// attribute: of what writeURL leaves, only & and + need it.
func writeURLAttr(w *bytes.Buffer, s string, norm bool) {
	processURL(w, s, norm, true)
}

func processURL(w *bytes.Buffer, s string, norm, attr bool) {
	const hex = "0123456789abcdef"
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '&', '+':
			if norm {
				if attr {
					w.WriteString(s[written:i])
					if c == '&' {
						w.WriteString("&amp;")
					} else {
						w.WriteString("&#43;")
					}
					written = i + 1
				}
				continue
			}
		case '!', '#', '$', '*', ',', '/', ':', ';', '=', '?', '@', '[', ']':
			if norm {
				continue
			}
		case '-', '.', '_', '~':
			continue
		case '%':
			if norm && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				continue
			}
		default:
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				continue
			}
		}
		w.WriteString(s[written:i])
		w.Write([]byte{'%', hex[c>>4], hex[c&15]})
		written = i + 1
	}
	w.WriteString(s[written:])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// filterCSSValue returns s, a CSS value without escapes, or the failsafe
// when it could end the declaration or hide an expression.
func filterCSSValue(s string) string {
	id := make([]byte, 0, 64)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case 0, '"', '\'', '(', ')', '/', ';', '@', '[', '\\', ']', '`', '{', '}', '<', '>':
			return filterFailsafe
		case '-':
			if i != 0 && s[i-1] == '-' {
				return filterFailsafe
			}
		default:
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' {
				id = append(id, c)
			}
		}
	}
	id = bytes.ToLower(id)
	if bytes.Contains(id, []byte("expression")) || bytes.Contains(id, []byte("mozbinding")) {
		return filterFailsafe
	}
	return s
}
