package infra

import (
	"strings"
	"testing"
)

// Files that are none of the formats get an error saying what they are
// when that is known.
func TestDetectErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"empty", "", "f: the file is empty"},
		{"blank", " \n\t\n", "f: the file is empty"},
		{"one plan -json message", `{"@level":"info","@message":"Terraform 1.9.5","@module":"terraform.ui","terraform":"1.9.5","type":"version","ui":"1.2"}`,
			"f: this is the output of terraform plan -json"},
		{"kubernetes", "apiVersion: v1\nkind: Service\n", "f: not a CloudFormation or SAM template"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Detect("f", []byte(c.doc))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}
