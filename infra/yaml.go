package infra

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// yamlTopKeys returns the keys of a YAML document's top-level mapping. Tags
// such as CloudFormation's !Ref are kept as tags by the parser, so a
// template with short-form intrinsics parses here.
func yamlTopKeys(name string, data []byte) (map[string]bool, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlFileError(name, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a CloudFormation or SAM template, a Terraform plan or a Serverless configuration (the top is not a mapping)", name)
	}
	top := doc.Content[0]
	keys := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		keys[top.Content[i].Value] = true
	}
	return keys, nil
}
