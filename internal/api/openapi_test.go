package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type openAPIDocument struct {
	OpenAPI    string                                 `json:"openapi"`
	Servers    []struct{ URL string }                 `json:"servers"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		SecuritySchemes map[string]struct{ Type, Scheme string } `json:"securitySchemes"`
		Schemas         map[string]json.RawMessage               `json:"schemas"`
		Parameters      map[string]struct{ Name, In string }     `json:"parameters"`
	} `json:"components"`
}

type openAPIOperation struct {
	// Parameters are inline or references to components.
	Parameters []struct {
		Ref      string `json:"$ref"`
		Name, In string
	} `json:"parameters"`
	RequestBody *json.RawMessage           `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
	Security    *[]json.RawMessage         `json:"security"`
}

// TestOpenAPIMatchesRoutes keeps the document and the route table in step:
// every route is documented with its parameters, and nothing else is.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc openAPIDocument
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != prefix {
		t.Errorf("openapi %q servers %+v", doc.OpenAPI, doc.Servers)
	}
	if b := doc.Components.SecuritySchemes["bearer"]; b.Type != "http" || b.Scheme != "bearer" {
		t.Errorf("bearer security scheme %+v", b)
	}
	for _, name := range []string{"Error", "ConversationList", "CreatedConversation"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}

	documented := map[string]openAPIOperation{}
	for path, ops := range doc.Paths {
		for method, o := range ops {
			documented[strings.ToUpper(method)+" "+path] = o
		}
	}
	pathParam := regexp.MustCompile(`\{(\w+)\}`)
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		o, ok := documented[key]
		if !ok {
			t.Errorf("route %s is not in openapi.json", key)
			continue
		}
		delete(documented, key)
		var params []string
		for _, p := range o.Parameters {
			in, name := p.In, p.Name
			if p.Ref != "" {
				def, ok := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				if !ok {
					t.Errorf("%s: parameter %s is not defined", key, p.Ref)
				}
				in, name = def.In, def.Name
			}
			params = append(params, in+":"+name)
		}
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			if !slices.Contains(params, "path:"+m[1]) {
				t.Errorf("%s: path parameter %s is not documented", key, m[1])
			}
		}
		if rt.method == "POST" && !slices.Contains(params, "header:Idempotency-Key") {
			t.Errorf("%s: the Idempotency-Key header is not documented", key)
		}
		if (rt.method == "POST" || rt.method == "PATCH") && o.RequestBody == nil {
			t.Errorf("%s: no request body", key)
		}
		if rt.public != (o.Security != nil && len(*o.Security) == 0) {
			t.Errorf("%s: public is %v in routes.go but the document says otherwise", key, rt.public)
		}
		if !rt.public && o.Responses["401"] == nil {
			t.Errorf("%s: the 401 answer is not documented", key)
		}
	}
	for key := range documented {
		t.Errorf("openapi.json documents %s, which is not a route", key)
	}

	// Every reference must lead somewhere.
	var refs []string
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`).FindAllStringSubmatch(string(openAPIDoc), -1) {
		refs = append(refs, m[1]+"/"+m[2])
	}
	var all map[string]any
	if err := json.Unmarshal(openAPIDoc, &all); err != nil {
		t.Fatal(err)
	}
	components := all["components"].(map[string]any)
	for _, r := range refs {
		kind, name, _ := strings.Cut(r, "/")
		if group, ok := components[kind].(map[string]any); !ok || group[name] == nil {
			t.Errorf("dangling $ref #/components/%s", r)
		}
	}
}

func TestOpenAPIIsServedWithoutAuth(t *testing.T) {
	f := newFixture(t)
	res := f.must(request{method: "GET", path: "/api/v1/openapi.json"}, http.StatusOK, nil)
	if string(res.body) != string(openAPIDoc) || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Errorf("served %d bytes as %q", len(res.body), res.header.Get("Content-Type"))
	}
}
