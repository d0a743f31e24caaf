package delegation

import (
	"encoding/json"
	"time"

	"github.com/thaitrust/thaitrust/credential"
)

// The demo scenario, shared by the tests, the benchmark and the demo data
// directory: Siam Digital Trade Co., Ltd. has four directors; any two of
// the first three sign jointly, with the company seal, up to ten million
// baht. Two of them grant the company's accountant the power to file VAT
// and withholding-tax returns with the Revenue Department up to 500,000
// baht for a year, with one level of sub-delegation; the accountant
// passes VAT filing alone, up to 100,000 baht, to a clerk for 30 days.
const (
	ScenarioJuristicID   = "0105562034122"
	ScenarioRelyingParty = "did:web:rd.thaitrust.example" // the Revenue Department
	ScenarioActionVAT    = "rd.vat.file"
	ScenarioActionWHT    = "rd.wht.file"
)

// ScenarioPerson is a natural person of the scenario.
type ScenarioPerson struct {
	PID  string
	Name map[string]any // names: {"th": {...}, "en": {...}}
}

func person(pid, tt, tg, tf, et, eg, ef string) ScenarioPerson {
	return ScenarioPerson{PID: pid, Name: map[string]any{
		"th": map[string]any{"title": tt, "given": tg, "family": tf},
		"en": map[string]any{"title": et, "given": eg, "family": ef},
	}}
}

// ScenarioDirectors are the company's four directors; the fourth is not
// authorised to sign.
var ScenarioDirectors = []ScenarioPerson{
	person("3101200456134", "นาย", "ธนพล", "ศรีสุข", "Mr.", "Thanaphon", "Srisuk"),
	person("3100600876547", "นางสาว", "พิมพ์ชนก", "อินทรประเสริฐ", "Miss", "Pimchanok", "Intharaprasoet"),
	person("3103300765432", "นาย", "วีระชัย", "แก้วมณี", "Mr.", "Weerachai", "Kaewmanee"),
	person("3104500123451", "นาง", "สุดารัตน์", "วงศ์ใหญ่", "Mrs.", "Sudarat", "Wongyai"),
}

// The accountant (grantee of the company) and the clerk (grantee of the
// accountant).
var (
	ScenarioAccountant = person("1101500890127", "นาง", "อรุณี", "ทองดี", "Mrs.", "Arunee", "Thongdee")
	ScenarioClerk      = person("1103700456783", "นาย", "สมชาย", "ใจดี", "Mr.", "Somchai", "Jaidee")
)

var scenarioCompanyName = map[string]any{"th": "บริษัท สยามดิจิทัลเทรด จำกัด", "en": "Siam Digital Trade Company Limited"}

func scenarioRule() map[string]any {
	var eligible []any
	for _, d := range ScenarioDirectors[:3] {
		eligible = append(eligible, map[string]any{"pid": d.PID, "name": d.Name})
	}
	return map[string]any{
		"mode": ModeJointly, "minSigners": json.Number("2"), "sealRequired": true,
		"eligibleDirectors": eligible,
		"limits": map[string]any{
			"maxAmount":  map[string]any{"amount": json.Number("10000000"), "currency": "THB"},
			"conditions": map[string]any{"th": "นิติกรรมที่มีมูลค่าเกินสิบล้านบาทต้องได้รับอนุมัติจากที่ประชุมคณะกรรมการ", "en": "Transactions above ten million baht need the board's approval."},
		},
	}
}

func unsigned(typ string, subject map[string]any) map[string]any {
	return map[string]any{
		"@context":          []any{credential.ContextV2, ContextThaiTrust},
		"type":              []any{credential.TypeCredential, typ},
		"credentialSubject": subject,
	}
}

// ScenarioCompany returns the unsigned JuristicPersonCredential of the
// scenario's company whose electronic seal is the key sealDID names.
func ScenarioCompany(sealDID string, asOf time.Time) map[string]any {
	var directors []any
	for _, d := range ScenarioDirectors {
		directors = append(directors, map[string]any{"pid": d.PID, "name": d.Name})
	}
	return unsigned(TypeJuristicPerson, map[string]any{
		"id":                 sealDID,
		"juristicId":         ScenarioJuristicID,
		"name":               scenarioCompanyName,
		"entityType":         "company_limited",
		"registrationDate":   "2019-04-22",
		"registrationDateBE": "25620422",
		"status":             "active",
		"registeredCapital":  map[string]any{"amount": json.Number("5000000"), "currency": "THB"},
		"headOffice": map[string]any{
			"houseNumber": "88/8", "road": "สาทรเหนือ", "subdistrict": "สีลม", "district": "บางรัก",
			"province": "กรุงเทพมหานคร", "postalCode": "10500", "country": "TH",
		},
		"directors": directors,
		"signingAuthorityText": map[string]any{
			"th": "กรรมการสองในสามคน คือ นายธนพล ศรีสุข นางสาวพิมพ์ชนก อินทรประเสริฐ นายวีระชัย แก้วมณี ลงลายมือชื่อร่วมกันและประทับตราสำคัญของบริษัท",
			"en": "Two of the three directors Thanaphon Srisuk, Pimchanok Intharaprasoet and Weerachai Kaewmanee sign jointly with the company's seal affixed.",
		},
		"signingRule": scenarioRule(),
		"asOf":        asOf.UTC().Format(time.RFC3339),
	})
}

// ScenarioDirector returns the unsigned DirectorAuthorityCredential of
// director i (0 to 3) whose holder key is the one holderDID names.
func ScenarioDirector(i int, holderDID string, asOf time.Time) map[string]any {
	d := ScenarioDirectors[i]
	return unsigned(TypeDirectorAuthority, map[string]any{
		"id":           holderDID,
		"juristicId":   ScenarioJuristicID,
		"juristicName": scenarioCompanyName,
		"director":     map[string]any{"pid": d.PID, "name": d.Name, "position": map[string]any{"th": "กรรมการ", "en": "Director"}},
		"signingRule":  scenarioRule(),
		"asOf":         asOf.UTC().Format(time.RFC3339),
	})
}

// ScenarioGrant is the company's grant to the accountant (whose holder
// key accountantDID names) from `from` for a year. Set Company and
// Directors before drafting it.
func ScenarioGrant(accountantDID string, from time.Time) DraftRequest {
	return DraftRequest{
		Delegation: Delegation{
			Grantor: Party{Type: JuristicPerson, JuristicID: ScenarioJuristicID, Name: scenarioCompanyName},
			Grantee: Party{Type: NaturalPerson, ID: accountantDID, PID: ScenarioAccountant.PID, Name: ScenarioAccountant.Name},
			Scope: Scope{
				Actions:        []string{ScenarioActionVAT, ScenarioActionWHT},
				RelyingParties: []string{ScenarioRelyingParty},
				AmountLimit:    &Money{Amount: "500000", Currency: "THB"},
			},
			Purpose: Text{
				TH: "ยื่นแบบแสดงรายการภาษีมูลค่าเพิ่ม (ภ.พ.30) และภาษีเงินได้หัก ณ ที่จ่าย แทนบริษัท",
				EN: "File VAT returns (P.P. 30) and withholding tax returns on behalf of the company",
			},
			SubDelegation: SubDelegation{Allowed: true, MaxDepth: 1},
		},
		ValidFrom:  from,
		ValidUntil: from.AddDate(1, 0, 0),
	}
}

// ScenarioSubGrant is the accountant's sub-delegation of VAT filing to
// the clerk (whose holder key clerkDID names) for 30 days from `from`,
// up to 100,000 baht. Set Parent before drafting it.
func ScenarioSubGrant(clerkDID string, from time.Time) DraftRequest {
	return DraftRequest{
		Delegation: Delegation{
			Grantee: Party{Type: NaturalPerson, ID: clerkDID, PID: ScenarioClerk.PID, Name: ScenarioClerk.Name},
			Scope: Scope{
				Actions:        []string{ScenarioActionVAT},
				RelyingParties: []string{ScenarioRelyingParty},
				AmountLimit:    &Money{Amount: "100000", Currency: "THB"},
			},
			Purpose: Text{
				TH: "ยื่นแบบ ภ.พ.30 แทนบริษัทในช่วงที่ผู้ทำบัญชีลาพักร้อน",
				EN: "File VAT returns (P.P. 30) for the company while the accountant is on leave",
			},
			SubDelegation: SubDelegation{Allowed: false},
		},
		ValidFrom:  from,
		ValidUntil: from.AddDate(0, 0, 30),
	}
}
