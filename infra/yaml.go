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

// maxMergedEntries bounds the key-value pairs YAML merge keys may copy into
// the mappings of one file: a few per mapping in a real template, and a
// file of mappings that each merge the one before would otherwise grow
// with the square of its size.
const maxMergedEntries = 1 << 20

// expandMerges applies the YAML merge keys (<<: *anchor, or a list of
// them) of the document in place, as YAML 1.1 parsers do: the SAM CLI's,
// the Serverless Framework's and yaml.v3's own Decode into Go values. The
// readers walk yaml.Node trees, on which yaml.v3 leaves << as a key. A
// mapping's own keys win over merged ones, and earlier mappings of a list
// over later ones. Merged pairs keep their nodes, so a finding about one
// points at the line the anchor wrote it on.
func expandMerges(name string, doc *yaml.Node) error {
	done := map[*yaml.Node]bool{}
	copied := 0
	var walk func(n *yaml.Node, depth int) error
	walk = func(n *yaml.Node, depth int) error {
		if n == nil || done[n] {
			return nil
		}
		if depth > maxEvalDepth {
			return fmt.Errorf("%s: too much to read: values nested more than %d deep", name, maxEvalDepth)
		}
		done[n] = true
		if n.Kind == yaml.AliasNode {
			return walk(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var sources []*yaml.Node
		own := map[string]bool{}
		content := make([]*yaml.Node, 0, len(n.Content))
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if isMergeKey(k) {
				sources = append(sources, v)
				continue
			}
			own[k.Value] = true
			content = append(content, k, v)
		}
		if len(sources) == 0 {
			return nil
		}
		var from []*yaml.Node
		for _, v := range sources {
			v = yamlDeref(v)
			if v != nil && v.Kind == yaml.SequenceNode {
				for _, item := range v.Content {
					from = append(from, yamlDeref(item))
				}
			} else {
				from = append(from, v)
			}
		}
		for _, m := range from {
			if m == nil || m.Kind != yaml.MappingNode {
				return fmt.Errorf("%s:%d:%d: a YAML merge key (<<) takes a mapping or a list of mappings", name, n.Line, n.Column)
			}
			for i := 0; i+1 < len(m.Content); i += 2 {
				k := m.Content[i]
				if isMergeKey(k) || own[k.Value] {
					continue
				}
				if copied++; copied > maxMergedEntries {
					return fmt.Errorf("%s: too much to read: YAML merge keys copy more than %d entries", name, maxMergedEntries)
				}
				own[k.Value] = true
				content = append(content, k, m.Content[i+1])
			}
		}
		n.Content = content
		return nil
	}
	return walk(doc, 0)
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

// yamlDeref follows aliases, a bounded number of times.
func yamlDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxEvalDepth {
			return nil
		}
		n = n.Alias
	}
	return n
}
