"""What a traveller (or the office, in Japanese or English) is told when payout details are refused,
per field and in each customer language: one table, used by the traveller's page, the till, the
office's form and the POS API alike."""

from __future__ import annotations

from sales.choices import CUSTOMER_LANGUAGE_CODES

LANGUAGES = tuple(CUSTOMER_LANGUAGE_CODES)

ERRORS: dict[str, tuple[str, str, str, str, str, str]] = {
    # code: (ja, en, zh-hans, zh-hant, ko, th)
    "required": (
        "入力してください。",
        "Please fill in this field.",
        "请填写此项。",
        "請填寫此欄。",
        "이 항목을 입력해 주세요.",
        "กรุณากรอกช่องนี้",
    ),
    "method": (
        "返金方法を選んでください。",
        "Choose how the refund is paid.",
        "请选择退税方式。",
        "請選擇退稅方式。",
        "환급 방법을 선택해 주세요.",
        "กรุณาเลือกวิธีรับเงินคืน",
    ),
    "email": (
        "有効なメールアドレスを入力してください。",
        "Enter a valid e-mail address.",
        "请输入有效的电子邮件地址。",
        "請輸入有效的電子郵件地址。",
        "올바른 이메일 주소를 입력해 주세요.",
        "กรุณากรอกอีเมลที่ถูกต้อง",
    ),
    "language": (
        "言語を選んでください。",
        "Choose a language.",
        "请选择语言。",
        "請選擇語言。",
        "언어를 선택해 주세요.",
        "กรุณาเลือกภาษา",
    ),
    "holder": (
        "口座名義を、銀行の表記どおりローマ字で入力してください。",
        "Enter the account holder's name in Latin letters, as your bank writes it.",
        "请按银行记录，用拉丁字母（拼音）填写账户持有人姓名。",
        "請依銀行記錄，以拉丁字母（英文拼音）填寫帳戶持有人姓名。",
        "예금주 이름을 은행 표기대로 로마자로 입력해 주세요.",
        "กรุณากรอกชื่อเจ้าของบัญชีเป็นตัวอักษรภาษาอังกฤษตามที่ธนาคารบันทึกไว้",
    ),
    "iban": (
        "このIBANは正しくありません。銀行の明細と照らし合わせてください。",
        "This IBAN is not valid: check it against your bank statement.",
        "此IBAN无效，请对照银行对账单核实。",
        "此IBAN無效，請對照銀行對帳單核對。",
        "유효하지 않은 IBAN입니다. 은행 명세서와 대조해 주세요.",
        "IBAN นี้ไม่ถูกต้อง กรุณาตรวจสอบกับรายการเดินบัญชีของท่าน",
    ),
    "iban_country": (
        "IBANの国が銀行の国と一致しません。",
        "The IBAN belongs to another country than the bank.",
        "IBAN所属国家与银行所在国家不一致。",
        "IBAN所屬國家與銀行所在國家不一致。",
        "IBAN의 국가가 은행 국가와 다릅니다.",
        "IBAN เป็นของประเทศอื่นที่ไม่ใช่ประเทศของธนาคาร",
    ),
    "iban_required": (
        "この国の銀行はIBANを使います。IBANを入力してください。",
        "Banks in this country use IBANs: enter the IBAN.",
        "该国银行使用IBAN，请输入IBAN。",
        "該國銀行使用IBAN，請輸入IBAN。",
        "이 나라의 은행은 IBAN을 사용합니다. IBAN을 입력해 주세요.",
        "ธนาคารในประเทศนี้ใช้ IBAN กรุณากรอก IBAN",
    ),
    "account_missing": (
        "IBANまたは口座番号を入力してください。",
        "Enter the IBAN or the account number.",
        "请输入IBAN或账号。",
        "請輸入IBAN或帳號。",
        "IBAN 또는 계좌번호를 입력해 주세요.",
        "กรุณากรอก IBAN หรือเลขที่บัญชี",
    ),
    "account_number": (
        "口座番号を銀行の表記どおり（英数字）入力してください。",
        "Enter the account number as your bank gives it (letters and digits).",
        "请按银行提供的格式填写账号（字母和数字）。",
        "請依銀行提供的格式填寫帳號（英文字母與數字）。",
        "계좌번호를 은행이 알려준 대로 입력해 주세요(영문과 숫자).",
        "กรุณากรอกเลขที่บัญชีตามที่ธนาคารให้ไว้ (ตัวอักษรและตัวเลข)",
    ),
    "bic": (
        "このSWIFT/BICコードは正しくありません。",
        "This SWIFT/BIC code is not valid.",
        "此SWIFT/BIC代码无效。",
        "此SWIFT/BIC代碼無效。",
        "유효하지 않은 SWIFT/BIC 코드입니다.",
        "รหัส SWIFT/BIC นี้ไม่ถูกต้อง",
    ),
    "bic_country": (
        "SWIFT/BICコードは別の国の銀行のものです。",
        "This SWIFT/BIC code is of a bank in another country.",
        "此SWIFT/BIC代码属于其他国家的银行。",
        "此SWIFT/BIC代碼屬於其他國家的銀行。",
        "이 SWIFT/BIC 코드는 다른 나라 은행의 코드입니다.",
        "รหัส SWIFT/BIC นี้เป็นของธนาคารในประเทศอื่น",
    ),
    "country": (
        "銀行の国を選んでください。",
        "Choose the country of the bank.",
        "请选择银行所在国家。",
        "請選擇銀行所在國家。",
        "은행이 있는 국가를 선택해 주세요.",
        "กรุณาเลือกประเทศของธนาคาร",
    ),
    "card_unknown": (
        "この買い物ではカード払いが記録されていません。別の方法を選んでください。",
        "No card payment was recorded for this purchase: choose another method.",
        "此次购物没有银行卡付款记录，请选择其他方式。",
        "此次購物沒有信用卡付款紀錄，請選擇其他方式。",
        "이 구매에는 카드 결제 기록이 없습니다. 다른 방법을 선택해 주세요.",
        "ไม่มีการบันทึกการชำระด้วยบัตรสำหรับการซื้อนี้ กรุณาเลือกวิธีอื่น",
    ),
    "card_number": (
        "カード番号は入力しないでください。決済の参照番号、ブランド、下4桁だけを入力します。",
        "Never enter a card number: only the payment reference, the brand and the last four digits.",
        "请勿输入卡号，只需填写支付参考号、卡组织和卡号后四位。",
        "請勿輸入卡號，只需填寫付款參考號碼、卡別與末四碼。",
        "카드 번호는 입력하지 마세요. 결제 참조번호, 브랜드, 끝 네 자리만 입력합니다.",
        "ห้ามกรอกหมายเลขบัตร ให้กรอกเฉพาะหมายเลขอ้างอิงการชำระเงิน ประเภทบัตร และเลขท้ายสี่หลัก",
    ),
    "last4": (
        "カード番号の下4桁を入力してください。",
        "Enter the last four digits of the card.",
        "请输入卡号后四位。",
        "請輸入卡號末四碼。",
        "카드 번호 끝 네 자리를 입력해 주세요.",
        "กรุณากรอกเลขท้ายสี่หลักของบัตร",
    ),
    "provider": (
        "カード決済の事業者を選んでください。",
        "Choose the card payment provider.",
        "请选择银行卡支付服务商。",
        "請選擇信用卡付款服務商。",
        "카드 결제 대행사를 선택해 주세요.",
        "กรุณาเลือกผู้ให้บริการชำระเงินด้วยบัตร",
    ),
    "brand": (
        "カードのブランドを選んでください。",
        "Choose the card brand.",
        "请选择卡组织。",
        "請選擇卡別。",
        "카드 브랜드를 선택해 주세요.",
        "กรุณาเลือกประเภทบัตร",
    ),
    "reference": (
        "決済の参照番号を入力してください。",
        "Enter the payment's reference.",
        "请输入支付参考号。",
        "請輸入付款參考號碼。",
        "결제 참조번호를 입력해 주세요.",
        "กรุณากรอกหมายเลขอ้างอิงการชำระเงิน",
    ),
    "operator_name": (
        "返金事業者の名前を入力してください。",
        "Name the refund operator.",
        "请填写退税代理机构名称。",
        "請填寫退稅代理機構名稱。",
        "환급 대행 사업자 이름을 입력해 주세요.",
        "กรุณาระบุชื่อผู้ให้บริการคืนภาษี",
    ),
    "consent": (
        "続けるには、個人情報の取扱いに同意してください。",
        "Please accept the privacy notice to go on.",
        "如需继续，请同意隐私声明。",
        "如需繼續，請同意隱私權聲明。",
        "계속하려면 개인정보 처리 안내에 동의해 주세요.",
        "กรุณายอมรับประกาศความเป็นส่วนตัวเพื่อดำเนินการต่อ",
    ),
    "fee_too_high": (
        "この方法では手数料が返金額を上回ります。別の方法を選んでください。",
        "The fee of this method would take the whole refund: choose another one.",
        "此方式的手续费将抵消全部退税额，请选择其他方式。",
        "此方式的手續費將抵銷全部退稅額，請選擇其他方式。",
        "이 방법은 수수료가 환급액 전부를 차지합니다. 다른 방법을 선택해 주세요.",
        "ค่าธรรมเนียมของวิธีนี้จะเท่ากับหรือมากกว่าเงินคืนทั้งหมด กรุณาเลือกวิธีอื่น",
    ),
    "text": (
        "使えない文字が含まれています。",
        "This contains characters that cannot be used.",
        "包含无法使用的字符。",
        "包含無法使用的字元。",
        "사용할 수 없는 문자가 포함되어 있습니다.",
        "มีอักขระที่ใช้ไม่ได้",
    ),
}

# Why a route cannot be changed now (the sale's state, not the input).
REFUSALS: dict[str, tuple[str, str, str, str, str, str]] = {
    "already_paid": (
        "この返金はすでに支払われました。",
        "This refund has already been paid.",
        "此退税已支付。",
        "此退稅已支付。",
        "이 환급은 이미 지급되었습니다.",
        "เงินคืนนี้ได้จ่ายแล้ว",
    ),
    "in_progress": (
        "返金の支払いが進行中のため、今は変更できません。",
        "A payment of this refund is under way: it cannot be changed now.",
        "此退税正在支付中，目前无法更改。",
        "此退稅正在支付中，目前無法變更。",
        "환급 지급이 진행 중이어서 지금은 변경할 수 없습니다.",
        "กำลังดำเนินการจ่ายเงินคืนนี้ จึงเปลี่ยนแปลงไม่ได้ในขณะนี้",
    ),
    "no_refund": (
        "この購入には返金がありません。",
        "There is no refund for this purchase.",
        "此次购物没有退税。",
        "此次購物沒有退稅。",
        "이 구매에는 환급이 없습니다.",
        "การซื้อนี้ไม่มีเงินคืน",
    ),
    "not_refund_method": (
        "リファンド方式の販売だけに返金方法があります。",
        "Only a sale under the refund method has a refund route.",
        "只有退税方式的销售才有退税途径。",
        "只有退稅方式的銷售才有退稅途徑。",
        "환급 방식의 판매에만 환급 경로가 있습니다.",
        "เฉพาะการขายแบบคืนภาษีเท่านั้นที่มีช่องทางรับเงินคืน",
    ),
}


def say(code: str, language: str) -> str:
    """The message of an error or refusal code in a customer language (English for any other)."""
    row = ERRORS.get(code) or REFUSALS.get(code)
    if row is None:
        return code
    return row[LANGUAGES.index(language) if language in LANGUAGES else 1]
