import type { StandInData } from './stand-in-data';

/**
 * What the stand-in knows before anything is seeded: the entities the sample events in samples/ are about (order
 * HD_5012, its fulfilment F_HD_5012_1 from DC_SYDNEY, its return RTN_HD_5012_1), so a handler that reads the entity
 * of a sample event gets consistent data. Values invented. A seed file has exactly this form.
 */
// #region default-data
export const DEFAULT_STAND_IN_DATA: StandInData = {
  orders: [
    {
      id: '5012',
      ref: 'HD_5012',
      type: 'HD',
      status: 'SHIPPED',
      retailer: { id: '1', ref: 'ACME_RETAIL', tradingName: 'Acme Retail' },
      customer: { id: '77', ref: 'CUST_77', firstName: 'Ada', lastName: 'Lovelace', primaryEmail: 'ada@example.com' },
      totalPrice: 64.5,
      totalTaxPrice: 5.86,
      createdOn: '2026-11-30T09:12:44.000Z',
      attributes: [{ name: 'channel', type: 'STRING', value: 'WEB' }],
      items: [
        { id: '9001', ref: 'HD_5012_1', productRef: 'TSHIRT-BLK-M', quantity: 2, price: 24.5, currency: 'AUD' },
        { id: '9002', ref: 'HD_5012_2', productRef: 'CAP-NAVY-OS', quantity: 1, price: 15.5, currency: 'AUD' },
      ],
    },
  ],
  fulfilments: [
    {
      id: '8820',
      ref: 'F_HD_5012_1',
      type: 'HD_WH',
      status: 'PACKED',
      deliveryType: 'STANDARD',
      orderRef: 'HD_5012',
      fromLocationRef: 'DC_SYDNEY',
      createdOn: '2026-11-30T09:20:02.000Z',
      attributes: [],
      items: [
        { id: '7701', ref: 'F_HD_5012_1_1', productRef: 'TSHIRT-BLK-M', requestedQuantity: 2, filledQuantity: 2 },
        { id: '7702', ref: 'F_HD_5012_1_2', productRef: 'CAP-NAVY-OS', requestedQuantity: 1, filledQuantity: 1 },
      ],
    },
  ],
  returnOrders: [
    {
      id: '311',
      ref: 'RTN_HD_5012_1',
      type: 'DEFAULT',
      status: 'CREATED',
      retailer: { id: '1', ref: 'ACME_RETAIL' },
      orderRef: 'HD_5012',
      createdOn: '2026-12-02T14:03:10.000Z',
      attributes: [{ name: 'returnReason', type: 'STRING', value: 'DAMAGED' }],
      returnOrderItems: [
        {
          id: '4101',
          ref: 'RTN_HD_5012_1_1',
          productRef: 'CAP-NAVY-OS',
          unitQuantity: { quantity: 1, unit: 'EACH' },
          returnReason: 'DAMAGED',
        },
      ],
    },
  ],
  locations: [
    {
      id: '12',
      ref: 'DC_SYDNEY',
      name: 'Sydney distribution centre',
      type: 'WAREHOUSE',
      status: 'ACTIVE',
      primaryAddress: { street: '1 Example Road', city: 'Sydney', state: 'NSW', postcode: '2000', country: 'AU' },
      attributes: [],
    },
  ],
};
// #endregion
