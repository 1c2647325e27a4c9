package validate

import "strings"

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// ptr appends one reference token to a JSON Pointer (RFC 6901).
func ptr(base, token string) string {
	if strings.ContainsAny(token, "~/") {
		token = pointerEscaper.Replace(token)
	}
	return base + "/" + token
}
