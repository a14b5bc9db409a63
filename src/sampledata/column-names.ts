/**
 * The staging table's business columns, named and ordered as in the prior system's ORDER_LIST DDL
 * (Active-Apparel-Group/data-orchestration, db/ddl/tables/orders/dbo_order_list.sql). The order is a
 * contract: the size columns are found by position between `UNIT OF MEASURE` and `TOTAL QTY`.
 */

export const orderDetailColumns: readonly string[] = [
  'AAG ORDER NUMBER', 'CUSTOMER NAME', 'SOURCE_CUSTOMER_NAME', 'ORDER DATE PO RECEIVED', 'PO NUMBER',
  'CUSTOMER ALT PO', 'AAG SEASON', 'CUSTOMER SEASON', 'DROP', 'MONTH', 'RANGE / COLLECTION',
  'PROMO GROUP / CAMPAIGN (HOT 30/GLOBAL EDIT)', 'CATEGORY', 'PATTERN ID', 'PLANNER', 'MAKE OR BUY',
  'ORIGINAL ALIAS/RELATED ITEM', 'PRICING ALIAS/RELATED ITEM', 'ALIAS/RELATED ITEM', 'CUSTOMER STYLE',
  'STYLE DESCRIPTION', "CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS",
  'CUSTOMER COLOUR DESCRIPTION', 'INFOR WAREHOUSE CODE', 'BULK AGREEMENT NUMBER', 'INFOR FACILITY CODE',
  'INFOR BUSINESS UNIT AREA', 'BULK AGREEMENT DESCRIPTION', 'CO NUMBER - INITIAL DISTRO',
  'INFOR CUSTOMER CODE', 'CO NUMBER - ALLOCATION DISTRO', 'CO NUMBER (INITIAL DISTRO)',
  'CO NUMBER (ALLOCATION DISTRO)', 'INFOR ORDER TYPE', 'INFOR SEASON CODE', 'ITEM TYPE CODE',
  'PRODUCT GROUP CODE', 'ITEM GROUP CODE', 'PLANNER2', 'GENDER GROUP CODE', 'FABRIC TYPE CODE',
  'INFOR MAKE/BUY CODE', 'INFOR ITEM TYPE CODE', 'INFOR PRODUCT GROUP CODE', 'INFOR ITEM GROUP CODE',
  'INFOR GENDER GROUP CODE', 'INFOR FABRIC TYPE CODE', 'LONGSON ALIAS', 'INFOR COLOUR CODE',
  'FACILITY CODE', 'CUSTOMER CODE', 'Column2', 'Column1', 'AAG SEASON CODE', 'MAKE OR BUY FLAG',
  'MAKE/BUY CODE', 'UNIT OF MEASURE',
];

export const sizeColumnNames: readonly string[] = [
  '2T', '3T', '4T', '5T', '6T',
  '0', '0-3M', '1', '2', '2/3', '3/6 MTHS', '3-6M', '3-4 years', '3', '3-4', '4', '4/5', '04/XXS', '5',
  '5-6 years', '5-6', '6', '6-12M', '6/7', '6/12 MTHS', '6-9M', '6-10', 'S(6-8)', '7', '7-8 years', '7-8',
  '8', '08/S', '8/9', 'M(8-10)', '9', '9-12M', '9-10 years', '9-10', '10', '10/M', '10/11', '10-12',
  'M(10-12)', 'L(10-12)', '11-12 years', '11-14', '12', '12/18 MTHS', '12-18M', '12/L', '12/13', '12-14',
  '13-14 years', '14', 'L(14-16)', '16',
  'XXXS', 'XXS', 'XXS/XS', 'XS', 'XS/S', 'S', 'M', 'L', 'XS-PETITE', '06/XS', 'CD/XS', 'C/XS', 'D/XS',
  'XL', 'L/XL', '14/XL', 'L-XL', 'AB/XL', 'CD/XL', 'C/XL', 'D/XL', 'XXL', '2XL', 'XL/XXL', '16/XXL',
  'XL/2XL', 'XXL/3XL', 'D/XXL', '3XL', '4XL',
  '18', '18/24 MTHS', '18-24M', '18/XXXL', '20', '22', '24', '25', '26', '27', '28', '28-30L', '29', '30',
  '30-30L', '30-31L', '30/32', '30-32L', '30/30', '31', '31-30L', '31-31L', '31/32', '31-32L', '31/30',
  '32', '32-30L', '32-31L', '32/32', '32-32L', '32/34', '32/36', '32/30', '33', '33-30L', '33-31L',
  '33/32', '33-32L', '33/30', '34', '34-30L', '34-31L', '34/32', '34-32L', '34/34', '34/30', '35',
  '35-30L', '35-31L', '35/32', '35-32L', '35/30', '36', '36-30L', '36-31L', '36/32', '36-32L', '36/34',
  '36/30', '38', '38-30L', '38-31L', '38/32', '38-32L', '38/34', '38/36', '38/30', '40', '40-30L',
  '40-31L', '40/32', '40/30', '42', '43', '44', '45', '46', '48', '50', '52', '54', '56', '58', '60',
  'OS', 'ONE SIZE', 'One_Size', 'One Sz',
  'S/M', 'M/L', 'XXXL', '2X', '3X', '1X', '4X', 'S/P', 'S+', '1Y', '2Y', '3Y', '4Y', 'S-PETITE', 'S-M',
  '32C', '32D', '4XT', '32DD', '30x30', '32DDD', '34C', '30x32', '0w', '2w', '32x30', 'One_Sz', '34D',
  '34DD', '4w', '32x32', '6w', '34DDD', '32x34', '36C', '8w', '34x30', '10w', 'O/S', '34x32', '31x30',
  '36D', '12w', '34x34', '36DD', '36DDD', '36x32', '38C', '36x30', '38D', '36x34', '38x30', '40x30',
  '38DD', '38x32', '38DDD', '38x34', '40x32', '40x34', 'AB/S', 'AB/M', 'CD/S', 'CD/M', 'CD/L', 'C/S',
  'C/M', 'C/L', 'D/S', 'D/M', 'D/L',
];

export const additionalDetailColumns: readonly string[] = [
  'TOTAL QTY', 'DESTINATION', 'DESTINATION WAREHOUSE', 'ALLOCATION (CHANNEL)', 'SHOP NAME', 'SHOP CODE',
  'COLLECTION DELIVERY', 'ETA CUSTOMER WAREHOUSE DATE', 'EX FACTORY DATE', 'DELIVERY TERMS',
  'PLANNED DELIVERY METHOD', 'NOTES', 'ORDER TYPE', 'VALIDATION', 'VALIDATION2', 'VALIDATION3',
  'VALIDATION4', 'CUSTOMER PRICE', 'USA ONLY LSTP 75% EX WORKS', 'EX WORKS (USD)', 'ADMINISTRATION FEE',
  'DESIGN FEE', 'FX CHARGE', 'HANDLING', 'PNP', 'SURCHARGE FEE', 'DISCOUNT', 'FINAL FOB (USD)', 'HS CODE',
  'US DUTY RATE', 'US DUTY', 'FREIGHT', 'US TARIFF RATE', 'US TARIFF', 'DDP US (USD)', 'UK DUTY RATE',
  'UK FREIGHT', 'UK INSURANCE', 'UK CIF', 'UK DUTY', 'DDP UK (USD)', 'CAN DUTY RATE', 'CAN DUTY',
  'DDP CAN (USD)', 'SMS PRICE USD', 'FINAL PRICES Y/N', 'NOTES FOR PRICE', '∆', 'INFOR ADDRESS ID',
  'TRACKING NUMBER', 'INFOR DELIVERY CODE', 'COUNTRY OF ORIGIN', 'DELIVERY CODE (MODL)', 'COUNTRY OF ORIGN',
  'FX CHARGE 2 Dec', 'INFOR EX-WORKS 4 Dec', 'AU Product 4 Dec', 'AU PnP 4 Dec', 'AU Price 2 Dec',
  'AU Discount 2 Dec', 'US Product 4 Dec', 'US PnP 4 Dec', 'US Duty 2 Dec', 'US Tariff 2 Dec',
  'TARIFF RELIEF DISCOUNT (20%)', 'US Price 2 Dec', 'FOB TO USE ON PRODUCT INVOICE', 'US Discount 2 Dec',
  'US Price w/ Discount', 'CAN Product 4 Dec', 'ADDITIONAL TARIFF RATE', 'CAN PnP 4 Dec', 'CAN Duty 2 Dec',
  'ADDITIONAL TARIFF %', 'ADDITIONAL TARIFF', 'CAN Price 2 Dec', 'ADDITIONAL TARIFF VALUE',
  'CAN Discount 2 Dec', 'TARIFF RATE CHARGED TO AAG', 'CAN Price w/ Discount', 'TARIFF LOSS',
  'UK Product 4 Dec', 'UK PnP 4 Dec', 'INVOICE METHOD', 'UK Duty 2 Dec', 'UK Price 2 Dec',
  'UK Discount 2 Dec', 'UK Price w/ Discount', 'RMB price (ex. VAT)', 'RMB Discount 2 Dec',
  'RMB Price w/ Discount', 'PRICING NOTES', 'NASC TO ROC PRICE (RMB) (inc VAT)', 'FINANCE EST (USD)',
  'Warehouse', 'NASC TO WHITE FOX (USD)', 'INVOICE MONTH', 'INVOICE YEAR', 'ORTP (ORDER TYPE)', 'HDPR',
  'PATTERN/STYLE NAME', 'RRP', 'PFI EXCHANGE RATE', 'FOB (AUD)', 'BUAR (BUSINESS AREA UNIT)', 'MARGIN',
  'ADID', '_SOURCE_TABLE',
];

/** Columns the DDL declares DECIMAL; every other group-3 column but the dates is text. */
export const decimalColumns: ReadonlySet<string> = new Set([
  'CUSTOMER PRICE', 'USA ONLY LSTP 75% EX WORKS', 'EX WORKS (USD)', 'ADMINISTRATION FEE', 'FX CHARGE',
  'HANDLING', 'FINAL FOB (USD)', 'US DUTY RATE', 'US DUTY', 'FREIGHT', 'US TARIFF RATE', 'US TARIFF',
  'DDP US (USD)', 'SMS PRICE USD', 'DELIVERY CODE (MODL)', 'TARIFF RELIEF DISCOUNT (20%)',
  'FOB TO USE ON PRODUCT INVOICE', 'ADDITIONAL TARIFF RATE', 'ADDITIONAL TARIFF', 'ADDITIONAL TARIFF VALUE',
  'NASC TO ROC PRICE (RMB) (inc VAT)', 'FINANCE EST (USD)', 'NASC TO WHITE FOX (USD)', 'FOB (AUD)',
]);

export const dateColumns: ReadonlySet<string> = new Set([
  'ORDER DATE PO RECEIVED', 'ETA CUSTOMER WAREHOUSE DATE', 'EX FACTORY DATE',
]);

export const integerColumns: ReadonlySet<string> = new Set(['TOTAL QTY', 'INVOICE YEAR']);
