/**
 * The stand-in's GraphQL schema: a small part of Fluent's, for the entities webhook handlers read and update
 * (orders, fulfilments, return orders, locations), with Fluent's names and Fluent's shapes: entities carry `id`,
 * `ref`, `type`, `status`, `attributes` (`name`, `type`, `value`), lists are Relay connections (`edges { node }`,
 * `pageInfo`) paged with `first`/`after`, and mutations take one `input`. A query that asks for something Fluent
 * does not have fails here as it would there, with GraphQL's own validation message.
 */
// #region schema
export const STAND_IN_SCHEMA_SDL = /* GraphQL */ `
  scalar DateTime
  scalar Json

  type Query {
    me: User
    orderById(id: ID!): Order
    order(ref: String!): Order
    orders(ref: [String], status: [String], type: [String], first: Int, after: String): OrderConnection
    fulfilmentById(id: ID!): Fulfilment
    fulfilments(ref: [String], status: [String], first: Int, after: String): FulfilmentConnection
    returnOrder(ref: String!, retailer: RetailerId): ReturnOrder
    returnOrders(ref: [String], status: [String], first: Int, after: String): ReturnOrderConnection
    locationById(id: ID!): Location
    locationByRef(ref: String!): Location
    locations(ref: [String], status: [String], type: [String], first: Int, after: String): LocationConnection
  }

  type Mutation {
    updateOrder(input: UpdateOrderInput!): Order
    updateFulfilment(input: UpdateFulfilmentInput!): Fulfilment
    updateReturnOrder(input: UpdateReturnOrderInput!): ReturnOrder
  }

  input RetailerId {
    id: ID!
  }
  input AttributeInput {
    name: String!
    type: String!
    value: Json!
  }
  input UpdateOrderInput {
    id: ID!
    status: String
    attributes: [AttributeInput]
  }
  input UpdateFulfilmentInput {
    id: ID!
    status: String
    attributes: [AttributeInput]
  }
  input UpdateReturnOrderInput {
    ref: String!
    retailer: RetailerId
    status: String
    attributes: [AttributeInput]
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
  }
  type Attribute {
    name: String!
    type: String!
    value: Json
  }
  type User {
    id: ID!
    ref: String
    username: String
    firstName: String
    lastName: String
    type: String
  }
  type Retailer {
    id: ID!
    ref: String
    tradingName: String
  }
  type Customer {
    id: ID!
    ref: String
    username: String
    firstName: String
    lastName: String
    primaryEmail: String
    primaryPhone: String
  }
  type Address {
    ref: String
    name: String
    street: String
    city: String
    state: String
    postcode: String
    country: String
    latitude: Float
    longitude: Float
    timeZone: String
  }

  type Order {
    id: ID!
    ref: String
    type: String
    status: String
    retailer: Retailer
    customer: Customer
    totalPrice: Float
    totalTaxPrice: Float
    createdOn: DateTime
    updatedOn: DateTime
    attributes: [Attribute]
    items(first: Int, after: String): OrderItemConnection
    fulfilments(first: Int, after: String): FulfilmentConnection
  }
  type OrderItem {
    id: ID!
    ref: String
    status: String
    productRef: String
    quantity: Int
    price: Float
    paidPrice: Float
    totalPrice: Float
    currency: String
    attributes: [Attribute]
  }
  type Fulfilment {
    id: ID!
    ref: String
    type: String
    status: String
    deliveryType: String
    order: Order
    fromLocation: Location
    createdOn: DateTime
    updatedOn: DateTime
    attributes: [Attribute]
    items(first: Int, after: String): FulfilmentItemConnection
  }
  type FulfilmentItem {
    id: ID!
    ref: String
    status: String
    productRef: String
    requestedQuantity: Int
    filledQuantity: Int
    rejectedQuantity: Int
  }
  type ReturnOrder {
    id: ID!
    ref: String!
    type: String
    status: String
    retailer: Retailer
    order: Order
    createdOn: DateTime
    updatedOn: DateTime
    attributes: [Attribute]
    returnOrderItems(first: Int, after: String): ReturnOrderItemConnection
  }
  type ReturnOrderItem {
    id: ID!
    ref: String!
    status: String
    productRef: String
    unitQuantity: Quantity
    returnReason: String
  }
  type Quantity {
    quantity: Int
    unit: String
  }
  type Location {
    id: ID!
    ref: String!
    name: String
    type: String
    status: String
    primaryAddress: Address
    createdOn: DateTime
    updatedOn: DateTime
    attributes: [Attribute]
  }

  type OrderConnection {
    edges: [OrderEdge]
    pageInfo: PageInfo
  }
  type OrderEdge {
    cursor: String
    node: Order
  }
  type OrderItemConnection {
    edges: [OrderItemEdge]
    pageInfo: PageInfo
  }
  type OrderItemEdge {
    cursor: String
    node: OrderItem
  }
  type FulfilmentConnection {
    edges: [FulfilmentEdge]
    pageInfo: PageInfo
  }
  type FulfilmentEdge {
    cursor: String
    node: Fulfilment
  }
  type FulfilmentItemConnection {
    edges: [FulfilmentItemEdge]
    pageInfo: PageInfo
  }
  type FulfilmentItemEdge {
    cursor: String
    node: FulfilmentItem
  }
  type ReturnOrderConnection {
    edges: [ReturnOrderEdge]
    pageInfo: PageInfo
  }
  type ReturnOrderEdge {
    cursor: String
    node: ReturnOrder
  }
  type ReturnOrderItemConnection {
    edges: [ReturnOrderItemEdge]
    pageInfo: PageInfo
  }
  type ReturnOrderItemEdge {
    cursor: String
    node: ReturnOrderItem
  }
  type LocationConnection {
    edges: [LocationEdge]
    pageInfo: PageInfo
  }
  type LocationEdge {
    cursor: String
    node: Location
  }
`;
// #endregion
