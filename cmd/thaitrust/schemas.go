package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/thaitrust/thaitrust/schemas"
)

var cmdSchemas = &command{
	name:  "schemas",
	usage: "schemas list | schemas show TYPE | schemas example TYPE",
	brief: "list the credential types, print a type's JSON Schema or an example credential",
}

func init() {
	register(cmdSchemas)
	cmdSchemas.run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || args[0] == "list" {
			for _, t := range schemas.Types() {
				fmt.Fprintf(e.stdout, "%-30s %s / %s\n", t.Name, t.Title["th"], t.Title["en"])
			}
			return nil
		}
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n", cmdSchemas.usage)
			return nil
		}
		if len(args) != 2 || (args[0] != "show" && args[0] != "example") {
			return usagef("usage: %s", cmdSchemas.usage)
		}
		t, ok := schemas.Lookup(args[1])
		if !ok {
			return usagef("unknown type %q ('thaitrust schemas list' lists them)", args[1])
		}
		raw := t.Schema
		if args[0] == "example" {
			raw = t.Example
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		return printJSON(e.stdout, v)
	}
}
