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
		{"binary", "PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe", "f: not a text file (a zip archive or other binary?)"},
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

// UTF-16 with a byte order mark, as Windows PowerShell's > writes a
// template, is text.
func TestDetectUTF16(t *testing.T) {
	doc := "Resources:\n  TG:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n"
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range doc {
		utf16 = append(utf16, byte(r), 0)
	}
	if f, err := Detect("f", utf16); err != nil || f != CloudFormation {
		t.Errorf("Detect = %q, %v; want cloudformation", f, err)
	}
}
