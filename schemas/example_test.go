package schemas_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/thaitrust/thaitrust/schemas"
)

func ExampleValidate() {
	t, _ := schemas.Lookup("DegreeCredential")
	dec := json.NewDecoder(bytes.NewReader(t.Example))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		panic(err)
	}
	fmt.Println(schemas.Validate("DegreeCredential", doc))

	// A typo in the student's citizen ID: the check digit catches it.
	doc["credentialSubject"].(map[string]any)["student"].(map[string]any)["pid"] = "1103701234564"
	err := schemas.Validate("DegreeCredential", doc)
	var ve *schemas.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(errors.Is(err, schemas.ErrInvalid), ve.Field, ve.Reason)
	}
	// Output:
	// <nil>
	// true /credentialSubject/student/pid thai_citizen_id_checksum
}

func ExampleParseBEDate() {
	for _, s := range []string{"25330812", "25060400", "25040000", "25330012"} {
		d, err := schemas.ParseBEDate(s)
		if err != nil {
			fmt.Println(s, "->", err)
			continue
		}
		fmt.Println(s, "->", d.ISO, d.Precision)
	}
	// Output:
	// 25330812 -> 1990-08-12 day
	// 25060400 -> 1963-04 month
	// 25040000 -> 1961 year
	// 25330012 -> schemas: be_date: a day is given but the month is unknown (00)
}

func ExampleValidCitizenID() {
	fmt.Println(schemas.ValidCitizenID("1501400317847"))
	fmt.Println(schemas.ValidCitizenID("1501400317848"))
	// Output:
	// <nil>
	// schemas: thai_citizen_id_checksum: the check digit of the Thai citizen ID does not match
}

func ExampleTypes() {
	for _, t := range schemas.Types() {
		fmt.Printf("%s (%s) %v\n", t.Name, t.Title["th"], t.DefaultValidity)
	}
	// Output:
	// ThaiCitizenCredential (บัตรประจำตัวประชาชนดิจิทัล) 0s
	// HouseRegistrationCredential (ทะเบียนบ้าน (ท.ร.14)) 2160h0m0s
	// JuristicPersonCredential (หนังสือรับรองการจดทะเบียนนิติบุคคล) 2160h0m0s
	// DirectorAuthorityCredential (หนังสือรับรองอำนาจกรรมการ) 168h0m0s
	// DelegationCredential (หนังสือมอบอำนาจ) 0s
	// DegreeCredential (ปริญญาบัตร) 0s
	// TranscriptCredential (ใบแสดงผลการศึกษา) 0s
	// ForeignerIdentityCredential (เอกสารรับรองตัวตนคนต่างด้าว) 8760h0m0s
	// AccreditationCredential (การรับรองผู้ออกเอกสาร) 8760h0m0s
	// IdPAccreditationCredential (การรับรองผู้ให้บริการยืนยันตัวตน) 8760h0m0s
}
